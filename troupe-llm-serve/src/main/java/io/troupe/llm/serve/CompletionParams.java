package io.troupe.llm.serve;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A parsed completion request, as the ingress hands it to a model's {@link LlmServer}.
 *
 * @param prompt      the prompt text ({@code /v1/completions}); null for chat
 * @param messages    the chat messages ({@code /v1/chat/completions}), rendered with the model's chat template;
 *                    null for a plain completion
 * @param maxTokens   tokens to generate; null for the model's default ({@link LlmConfig#maxTokens})
 * @param temperature 0 is greedy
 * @param topP        nucleus sampling, 1 for none
 * @param seed        sampling seed, or null
 * @param stop        up to 4 stop strings (OpenAI's {@code stop}): generation ends at the first one, which is not
 *                    part of the text; empty for none
 */
public record CompletionParams(String prompt, List<Message> messages, Integer maxTokens, double temperature,
    double topP, Long seed, List<String> stop) implements Serializable {
  /** At most this many stop strings, as OpenAI's API. */
  public static final int MAX_STOP = 4;

  /** One chat message. */
  public record Message(String role, String content) implements Serializable {
    public Message {
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(content, "content");
    }
  }

  public CompletionParams {
    if ((prompt == null) == (messages == null)) {
      throw new IllegalArgumentException("exactly one of prompt and messages");
    }
    messages = messages == null ? null : List.copyOf(messages);
    stop = stop == null ? List.of() : List.copyOf(stop);
  }

  /** Without stop strings. */
  public CompletionParams(String prompt, List<Message> messages, Integer maxTokens, double temperature, double topP,
      Long seed) {
    this(prompt, messages, maxTokens, temperature, topP, seed, List.of());
  }

  public boolean chat() {
    return messages != null;
  }
}
