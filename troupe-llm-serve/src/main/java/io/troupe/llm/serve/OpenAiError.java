package io.troupe.llm.serve;

import java.io.Serializable;

/**
 * An error in OpenAI's shape: {@code {"error": {"message", "type", "param", "code"}}} with its HTTP status.
 *
 * @param status HTTP status (400 invalid request, 404 unknown model or route, 500 server error, 503 overloaded)
 * @param type   {@code invalid_request_error} or {@code server_error}
 * @param param  the request field at fault, or null
 * @param code   a machine-readable code (e.g. {@code model_not_found}, {@code context_length_exceeded}), or null
 */
public record OpenAiError(int status, String message, String type, String param, String code)
    implements CompletionOutcome, Serializable {
  public static OpenAiError invalid(String param, String message) {
    return new OpenAiError(400, message, "invalid_request_error", param, null);
  }

  /**
   * 503 with {@code Retry-After}: the model's servers already have {@code max_queued_requests} requests waiting
   * (OpenAI answers an overloaded engine with 503; its clients retry it).
   */
  public static OpenAiError overloaded(String model, String detail) {
    return new OpenAiError(503, "The server of model '" + model + "' is overloaded, please retry shortly (" + detail
        + ")", "server_error", null, "overloaded");
  }

  public static OpenAiError server(String message) {
    return new OpenAiError(500, message, "server_error", null, null);
  }

  /** The JSON body ({@code {"error": {"message", "type", "param", "code"}}}), ready for Jackson. */
  Object body() {
    return new OpenAiWire.ErrorBody(new OpenAiWire.Error(message, type, param, code));
  }
}
