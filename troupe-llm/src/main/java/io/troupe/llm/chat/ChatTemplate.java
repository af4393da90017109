package io.troupe.llm.chat;

import io.troupe.llm.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template ({@code chat_template} in tokenizer_config.json), rendered by a small
 * Jinja interpreter with the environment transformers uses ({@code trim_blocks},
 * {@code lstrip_blocks}, loop controls, {@code raise_exception}, {@code tojson} as Python
 * {@code json.dumps}). Enough for the Llama-2/TinyLlama, Llama-3, Qwen2 and ChatML templates;
 * unsupported constructs fail at parse or render time with a {@link TemplateException} naming the line.
 *
 * <p>Parsed once, immutable: {@link #render} may be called from many threads at once.
 */
public final class ChatTemplate {
    private final String source;
    private final List<JinjaAst.Node> nodes;
    private final String bosToken;
    private final String eosToken;

    private ChatTemplate(String source, String bosToken, String eosToken) {
        this.source = source;
        this.nodes = JinjaParser.parse(source);
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    /**
     * Parses a template.
     *
     * @param bosToken value of {@code bos_token} (may be null: then undefined in the template)
     * @param eosToken value of {@code eos_token} (may be null)
     * @throws TemplateException on syntax errors or unsupported statements
     */
    public static ChatTemplate of(String source, String bosToken, String eosToken) {
        return new ChatTemplate(source, bosToken, eosToken);
    }

    /** The tokenizer's own template with its BOS/EOS strings; fails if it has no template. */
    public static ChatTemplate forTokenizer(Tokenizer tokenizer) {
        String src = tokenizer.chatTemplate()
                .orElseThrow(() -> new IllegalArgumentException("tokenizer has no chat_template"));
        return of(src, tokenizer.bosToken().orElse(null), tokenizer.eosToken().orElse(null));
    }

    /** Renders the conversation; with {@code addGenerationPrompt} the assistant header is appended. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            msgs.add(map);
        }
        return render(msgs, addGenerationPrompt, Map.of());
    }

    /**
     * Renders with messages given as maps (e.g. with {@code tool_calls}) and extra variables
     * (e.g. {@code tools}, {@code date_string}). Values must be String, Long/Integer, Double,
     * Boolean, List, Map or null.
     */
    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        Map<String, Object> globals = new HashMap<>();
        extraVariables.forEach((k, v) -> globals.put(k, normalize(v)));
        globals.put("messages", normalize(messages));
        globals.put("add_generation_prompt", addGenerationPrompt);
        if (bosToken != null) {
            globals.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            globals.put("eos_token", eosToken);
        }
        return new JinjaInterpreter(globals).render(nodes);
    }

    /** The template source. */
    public String source() {
        return source;
    }

    /** Converts Java values to the interpreter's (Integer to Long, Float to Double, records rejected). */
    private static Object normalize(Object v) {
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof Float f) {
            return f.doubleValue();
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(normalize(x)));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, normalize(x)));
            return out;
        }
        if (v instanceof ChatMessage c) {
            return normalize(Map.of("role", c.role(), "content", c.content()));
        }
        return v;
    }
}
