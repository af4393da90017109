package io.troupe.llm.serve;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with its HTTP status.
 *
 * @param status HTTP status (400 invalid request, 404 unknown model or route, 500 server error)
 * @param type   {@code invalid_request_error} or {@code server_error}
 * @param param  the request field at fault, or null
 * @param code   a machine-readable code (e.g. {@code model_not_found}, {@code context_length_exceeded}), or null
 */
public record OpenAiError(int status, String message, String type, String param, String code)
    implements CompletionOutcome, Serializable {
  public static OpenAiError invalid(String param, String message) {
    return new OpenAiError(400, message, "invalid_request_error", param, null);
  }

  public static OpenAiError server(String message) {
    return new OpenAiError(500, message, "server_error", null, null);
  }

  /** The JSON body as a map, ready for Jackson. */
  public Map<String, Object> body() {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("message", message);
    e.put("type", type);
    e.put("param", param);
    e.put("code", code);
    return Map.of("error", e);
  }
}
