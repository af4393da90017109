package io.troupe.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hand-built GPT-2-format tokenizer: 256 byte tokens (id = byte value) and five ranked merges;
 * expected ids worked out by hand. Also checks both merge formats and the regex translation
 * against splits computed with Python's {@code regex} module.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ByteLevelBpeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String[]> MERGES = List.of(new String[] {"Ġ", "t"}, new String[] {"h", "e"},
            new String[] {"Ġt", "he"}, new String[] {"l", "o"}, new String[] {"lo", "w"}, new String[] {"a", "a"});

    static String gpt2Json(boolean arrayMerges) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode added = root.putArray("added_tokens");
        added.addObject().put("id", 262).put("content", "<|endoftext|>").put("special", true);
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("use_regex", true);
        root.putObject("decoder").put("type", "ByteLevel");
        ObjectNode model = root.putObject("model").put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevelCodec.charOf(b)), b);
        }
        int id = 256;
        for (String[] m : MERGES) {
            vocab.put(m[0] + m[1], id++);
        }
        ArrayNode merges = model.putArray("merges");
        for (String[] m : MERGES) {
            if (arrayMerges) {
                merges.addArray().add(m[0]).add(m[1]);
            } else {
                merges.add(m[0] + " " + m[1]);
            }
        }
        return root.toString();
    }

    @Test
    void encodesByMergeRank() {
        Tokenizer tok = Tokenizer.fromJson(gpt2Json(false), null);
        // words "the" " lower" " the": t|he, Ġ|low|e|r, Ġthe
        int[] ids = tok.encode("the lower the", true);
        assertThat(ids).containsExactly('t', 257, 32, 260, 'e', 'r', 258);
        assertThat(tok.decode(ids, false)).isEqualTo("the lower the");
        assertThat(Tokenizer.fromJson(gpt2Json(true), null).encode("the lower the", true)).containsExactly(ids);
    }

    @Test
    void equalPairsMergeLeftmostFirst() {
        Tokenizer tok = Tokenizer.fromJson(gpt2Json(false), null);
        assertThat(tok.encode("aaa", false)).containsExactly(261, 'a');
        assertThat(tok.encode("aaaa", false)).containsExactly(261, 261);
    }

    @Test
    void multibyteCharsBecomeBytesAndSpecialsAreSingleIds() {
        Tokenizer tok = Tokenizer.fromJson(gpt2Json(false), null);
        assertThat(tok.encode("é", false)).containsExactly(0xC3, 0xA9);
        assertThat(tok.encode("hi<|endoftext|>the", false)).containsExactly('h', 'i', 262, 't', 257);
        assertThat(tok.decode(new int[] {'h', 262}, true)).isEqualTo("h");
        assertThat(tok.vocabSize()).isEqualTo(263);
        assertThat(tok.bosId()).isEqualTo(-1);
    }

    @Test
    void streamingHoldsPartialUtf8() {
        Tokenizer tok = Tokenizer.fromJson(gpt2Json(false), null);
        StreamingDecoder s = tok.newStreamingDecoder(false);
        assertThat(s.next(0xE2)).isEmpty(); // € = E2 82 AC
        assertThat(s.next(0x82)).isEmpty();
        assertThat(s.next(0xAC)).isEqualTo("€");
        assertThat(s.next(258)).isEqualTo(" the");
        assertThat(s.finish()).isEmpty();
    }

    @Test
    void regexTranslationMatchesPythonRegexModule() {
        // expected lists computed with Python `regex` 2026.5 findall on the same patterns
        var gpt2 = new PreTokenizer.Split(RegexTranslator.compile(PreTokenizer.GPT2_PATTERN), PreTokenizer.Behavior.ISOLATED, false);
        var llama3 = new PreTokenizer.Split(RegexTranslator.compile(SyntheticTokenizers.LLAMA3_PATTERN),
                PreTokenizer.Behavior.ISOLATED, false);
        String a = "Hello world  123 don't\n\n x";
        assertThat(gpt2.split(List.of(a), true)).containsExactly("Hello", " world", " ", " 123", " don", "'t", "\n\n", " x");
        assertThat(llama3.split(List.of(a), true)).containsExactly("Hello", " world", " ", " ", "123", " don", "'t", "\n\n", " x");
        String b = "Hello, world! 12345 abc'S   \n\nend\u3000日本語 café\u00a0ok";
        assertThat(gpt2.split(List.of(b), true)).containsExactly("Hello", ",", " world", "!", " 12345", " abc", "'", "S",
                "   \n", "\n", "end", "\u3000", "日本語", " café", "\u00a0", "ok");
        assertThat(llama3.split(List.of(b), true)).containsExactly("Hello", ",", " world", "!", " ", "123", "45", " abc", "'S",
                "   \n\n", "end", "\u3000日本語", " café", "\u00a0ok");
    }

    @Test
    void metaspacePreTokenizerSplitsLikeHuggingFace() {
        var meta = new PreTokenizer.Metaspace("▁", PreTokenizer.PrependScheme.FIRST, true);
        assertThat(meta.split(List.of("Hey  friend"), true)).containsExactly("▁Hey", "▁", "▁friend");
        assertThat(meta.split(List.of("x"), false)).containsExactly("x");
    }
}
