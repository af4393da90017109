package io.troupe.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Published vocabularies (see {@link RealVocabularies}) encode and decode a few hundred varied strings exactly as
 * the reference JS tokenizer does: ids without and with special tokens, decoded text with and without skipping
 * special tokens ({@code resources/vocab/MODEL.json}, written by {@code src/test/js/vocab/generate-fixtures.mjs}); and
 * the streaming decoder, fed id by id, emits the same text as a whole decode.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
public class RealVocabularyTest {
    static final List<String> MODELS = RealVocabularies.MODELS;
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @FieldSource("MODELS")
    void encodesAndDecodesLikeTheReference(String model) throws Exception {
        Tokenizer tok = RealVocabularies.tokenizer(model);
        JsonNode cases = fixture(model).path("cases");
        assertThat(cases.size()).as("fixture cases").isGreaterThan(200);
        List<String> wrong = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.path("text").asText();
            int[] ids = ints(c.path("ids"));
            int[] idsSpecial = ints(c.path("ids_special"));
            check(wrong, text, "encode", Arrays.toString(ids), Arrays.toString(tok.encode(text, false)));
            check(wrong, text, "encode+special", Arrays.toString(idsSpecial), Arrays.toString(tok.encode(text, true)));
            check(wrong, text, "decode", c.path("decoded").asText(), tok.decode(idsSpecial, false));
            check(wrong, text, "decode skipping special", c.path("decoded_skip").asText(), tok.decode(idsSpecial, true));
            check(wrong, text, "streamed decode", tok.decode(idsSpecial, false), streamed(tok, idsSpecial));
        }
        assertThat(wrong).as(model + ": " + wrong.size() + " mismatches").isEmpty();
    }

    /** The text a {@link StreamingDecoder} emits id by id, plus what {@code finish} returns. */
    private static String streamed(Tokenizer tok, int[] ids) {
        StreamingDecoder d = tok.newStreamingDecoder(false);
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(d.next(id));
        }
        return out.append(d.finish()).toString();
    }

    private static void check(List<String> wrong, String text, String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            wrong.add(what + " of " + JSON.valueToTree(text) + ": expected " + JSON.valueToTree(expected) + " got "
                    + JSON.valueToTree(actual));
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    public static JsonNode fixture(String model) throws Exception {
        try (InputStream in = RealVocabularyTest.class.getResourceAsStream("/vocab/" + model + ".json")) {
            assertThat(in).as("fixture for " + model).isNotNull();
            return JSON.readTree(in);
        }
    }
}
