package io.troupe.llm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.troupe.llm.tokenizer.SyntheticTokenizers;
import io.troupe.llm.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders real chat templates (TinyLlama, Llama-2, Llama-3, Qwen2) and test templates; the expected
 * outputs under resources/tokenizer/chat were produced by Python jinja2 3.1 configured as
 * transformers does (trim_blocks, lstrip_blocks, loopcontrols, json.dumps tojson).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatTemplateTest {
    private static final List<ChatMessage> CONV_A = List.of(ChatMessage.system("You are terse."), ChatMessage.user("  Hi there!  "),
            ChatMessage.assistant("Hello. "), ChatMessage.user("Bye 日本"));
    private static final List<ChatMessage> CONV_B = List.of(ChatMessage.user("One question?"));

    @ParameterizedTest
    @ValueSource(strings = {"tinyllama", "llama2", "llama3", "qwen2", "chatml_tools", "indented"})
    void rendersLikeJinja2(String name) throws IOException {
        ChatTemplate t = ChatTemplate.of(resource(name + ".jinja"), "<s>", "</s>");
        assertThat(t.render(CONV_A, true)).isEqualTo(resource(name + ".A.expected"));
        assertThat(t.render(CONV_B, false)).isEqualTo(resource(name + ".B.expected"));
    }

    @Test
    void rendersToolCallsAndToolsList() throws IOException {
        ChatTemplate t = ChatTemplate.of(resource("chatml_tools.jinja"), "<s>", "</s>");
        List<Map<String, Object>> msgs = List.of(
                Map.of("role", "user", "content", "Weather in Paris?"),
                Map.of("role", "assistant", "content", "", "tool_calls",
                        List.of(Map.of("type", "function", "function", Map.of("name", "get_weather", "arguments", Map.of("city", "Paris"))))),
                Map.of("role", "tool", "content", "22C"),
                Map.of("role", "user", "content", "Thanks"));
        Map<String, Object> tool = orderedTool();
        String out = t.render(msgs, true, Map.of("tools", List.of(tool)));
        assertThat(out).isEqualTo(resource("chatml_tools.tools.expected"));
    }

    private static Map<String, Object> orderedTool() {
        var props = new java.util.LinkedHashMap<String, Object>();
        props.put("type", "object");
        props.put("properties", Map.of("city", Map.of("type", "string")));
        props.put("required", List.of("city"));
        var fn = new java.util.LinkedHashMap<String, Object>();
        fn.put("name", "get_weather");
        fn.put("description", "Weather \"now\"");
        fn.put("parameters", props);
        var tool = new java.util.LinkedHashMap<String, Object>();
        tool.put("type", "function");
        tool.put("function", fn);
        return tool;
    }

    @Test
    void raiseExceptionFromTemplateCarriesMessage() throws IOException {
        ChatTemplate t = ChatTemplate.of(resource("llama2.jinja"), "<s>", "</s>");
        assertThatThrownBy(() -> t.render(List.of(ChatMessage.assistant("first")), false))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("Conversation roles must alternate");
    }

    @Test
    void unsupportedStatementNamesItsLine() {
        assertThatThrownBy(() -> ChatTemplate.of("hello\n{% macro m() %}x{% endmacro %}", null, null))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("line 2")
                .hasMessageContaining("macro");
        assertThatThrownBy(() -> ChatTemplate.of("a\nb\n{{ x | nosuchfilter }}", null, null).render(List.of(), false))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("line 3");
        assertThatThrownBy(() -> ChatTemplate.of("{% if x %}never closed", null, null))
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("endif");
    }

    @Test
    void expressionsFollowJinjaSemantics() {
        assertThat(render("{{ 1 + 2 * 3 }}|{{ 7 // 2 }}|{{ -7 % 3 }}|{{ 'a' ~ 1 ~ none }}|{{ [1,2][-1] }}")).isEqualTo("7|3|2|a1None|2");
        assertThat(render("{{ 'abc'[::-1] }}|{{ 'x' if false else 'y' }}|{{ not 1 in [1] }}|{{ undefined_thing is defined }}"))
                .isEqualTo("cba|y|False|False");
        assertThat(render("{% for a, b in {'k': 1, 'j': 2}.items() %}{{ a }}={{ b }}{% if not loop.last %},{% endif %}{% endfor %}"))
                .isEqualTo("k=1,j=2");
        assertThat(render("{% for x in [1,2,3,4] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}"))
                .isEqualTo("13");
        assertThat(render("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}")).isEqualTo("1");
        assertThat(render("{{ ['a','b'] | join(', ') | upper }}|{{ missing | default('d') }}|{{ ' t ' | trim | length }}"))
                .isEqualTo("A, B|d|1");
    }

    @Test
    void worksWithTheSyntheticTokenizer() {
        Tokenizer tok = SyntheticTokenizers.create(400);
        String prompt = ChatTemplate.forTokenizer(tok).render(List.of(ChatMessage.user("Hi")), true);
        assertThat(prompt).isEqualTo("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        int[] ids = tok.encode(prompt, false);
        assertThat(ids[0]).isEqualTo(tok.bosId());
        assertThat(tok.decode(ids, false)).isEqualTo(prompt);
    }

    private static String render(String template) {
        return ChatTemplate.of(template, "<s>", "</s>").render(List.of(), false);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/tokenizer/chat/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
