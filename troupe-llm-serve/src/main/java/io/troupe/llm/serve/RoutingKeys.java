package io.troupe.llm.serve;

/**
 * The routing key of a completion request: the text whose prefixes the prefix-aware router matches
 * ({@link io.troupe.serve.api.CallOptions#routingKey}). For {@code /v1/completions} the prompt; for chat the
 * messages in order, each as {@code <|role|>\n content \n}, so requests that share a system prompt (and
 * earlier turns) share a key prefix, as their rendered chat templates — and so their KV blocks — do. The
 * ingress has no tokenizer or template; any rendering that keeps shared turns as a shared prefix routes the
 * same. Stateless.
 */
final class RoutingKeys {
  private RoutingKeys() {
  }

  static String of(CompletionParams p) {
    if (!p.chat()) {
      return p.prompt();
    }
    StringBuilder b = new StringBuilder();
    for (CompletionParams.Message m : p.messages()) {
      b.append("<|").append(m.role()).append("|>\n").append(m.content()).append('\n');
    }
    return b.toString();
  }

  /**
   * The same key from a raw OpenAI body (requests forwarded to an external engine, which the ingress does not parse
   * into {@link CompletionParams}): the prompt when it is a string, the messages' string contents; null (no
   * prefix-aware routing) when there is neither.
   */
  static String ofBody(com.fasterxml.jackson.databind.JsonNode body, boolean chat) {
    if (!chat) {
      return body.path("prompt").isTextual() ? body.get("prompt").asText() : null;
    }
    StringBuilder b = new StringBuilder();
    for (com.fasterxml.jackson.databind.JsonNode m : body.path("messages")) {
      if (m.path("content").isTextual()) {
        b.append("<|").append(m.path("role").asText()).append("|>\n").append(m.get("content").asText()).append('\n');
      }
    }
    return b.isEmpty() ? null : b.toString();
  }
}
