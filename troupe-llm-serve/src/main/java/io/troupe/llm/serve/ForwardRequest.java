package io.troupe.llm.serve;

import java.io.Serializable;

/**
 * An OpenAI request the ingress forwards unchanged to a model served by an external engine.
 *
 * @param method HTTP method
 * @param path   e.g. {@code /v1/chat/completions}
 * @param body   the request body as the client sent it (UTF-8 JSON), possibly with {@code max_tokens} filled in
 */
public record ForwardRequest(String method, String path, byte[] body) implements Serializable {}
