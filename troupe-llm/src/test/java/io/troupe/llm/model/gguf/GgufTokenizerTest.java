package io.troupe.llm.model.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.llm.chat.ChatTemplate;
import io.troupe.llm.tokenizer.RealVocabularies;
import io.troupe.llm.tokenizer.RealVocabularyTest;
import io.troupe.llm.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A tokenizer carried in GGUF metadata ({@code tokenizer.ggml.*}, as llama.cpp's converter writes it from a real
 * vocabulary: byte-level "gpt2" vocabularies with their merges and pre-tokenizer name, SentencePiece "llama" ones
 * with scores instead of merges) encodes the real-vocabulary fixtures exactly like the original tokenizer.json, and
 * carries the chat template.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class GgufTokenizerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @ParameterizedTest
  @CsvSource({"qwen3,qwen2", "llama3,llama-bpe", "llama2,"})
  void ggufVocabularyEncodesLikeTheOriginal(String model, String pre) throws Exception {
    Path folder = RealVocabularies.folder(model);
    JsonNode tj = JSON.readTree(folder.resolve("tokenizer.json").toFile());
    JsonNode cfg = JSON.readTree(folder.resolve("tokenizer_config.json").toFile());
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("general.architecture", "llama");
    GgufConvert.putTokenizer(tj, cfg, meta, pre);
    Path gguf = tmp.resolve(model + ".gguf");
    GgufWriter.write(gguf, meta, List.of());
    Tokenizer tok = Tokenizer.fromDirectory(gguf);
    List<String> wrong = new ArrayList<>();
    for (JsonNode c : RealVocabularyTest.fixture(model).path("cases")) {
      String text = c.path("text").asText();
      int[] want = new int[c.path("ids_special").size()];
      for (int i = 0; i < want.length; i++) {
        want[i] = c.path("ids_special").get(i).asInt();
      }
      int[] got = tok.encode(text, true);
      if (!Arrays.equals(want, got)) {
        wrong.add(JSON.valueToTree(text) + ": " + Arrays.toString(want) + " vs " + Arrays.toString(got));
      }
      if (!tok.decode(want, false).equals(c.path("decoded").asText())) {
        wrong.add("decode " + JSON.valueToTree(text));
      }
    }
    assertThat(wrong).as(model + " from GGUF: " + wrong.size() + " mismatches").isEmpty();
    if (cfg.path("chat_template").isTextual()) {
      assertThat(tok.chatTemplate()).contains(cfg.get("chat_template").asText());
      ChatTemplate.forTokenizer(tok); // parses
    }
  }
}
