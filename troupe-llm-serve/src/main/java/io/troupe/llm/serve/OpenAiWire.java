package io.troupe.llm.serve;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * OpenAI's response shapes as records, written by Jackson (snake_case names given per field; nulls written,
 * as OpenAI does for {@code finish_reason} and {@code logprobs}). One record per object of the
 * <a href="https://platform.openai.com/docs/api-reference">API reference</a> that Troupe answers.
 */
final class OpenAiWire {
  private OpenAiWire() {
  }

  /** {@code GET /v1/models}. */
  record ModelList(String object, List<Model> data) {
    static ModelList of(java.util.Collection<String> ids) {
      return new ModelList("list", ids.stream().map(id -> new Model(id, "model", 0, "troupe")).toList());
    }
  }

  record Model(String id, String object, long created, @JsonProperty("owned_by") String ownedBy) {
  }

  /** A whole answer: {@code chat.completion} or {@code text_completion}. */
  record Completion(String id, String object, long created, String model, List<Object> choices, Usage usage) {
    static Completion of(CompletionResult r, boolean chat) {
      Object choice = chat ? new ChatChoice(0, new Message("assistant", r.text()), r.finishReason())
          : new TextChoice(0, r.text(), null, r.finishReason());
      return new Completion(r.id(), chat ? "chat.completion" : "text_completion", r.created(), r.model(),
          List.of(choice), new Usage(r.promptTokens(), r.completionTokens(),
              r.promptTokens() + r.completionTokens()));
    }
  }

  /** One streamed chunk: {@code chat.completion.chunk} or {@code text_completion}. */
  record Chunk(String id, String object, long created, String model, List<Object> choices) {
    /** {@code delta}: the text (completions; for chat it becomes {@code {"content": text}}) or a chat delta map. */
    static Chunk of(String id, long created, String model, boolean chat, Object delta, String finishReason) {
      Object choice = chat ? new ChunkChoice(0, delta instanceof String s ? Map.of("content", s) : delta, finishReason)
          : new TextChoice(0, (String) delta, null, finishReason);
      return new Chunk(id, chat ? "chat.completion.chunk" : "text_completion", created, model, List.of(choice));
    }
  }

  record ChatChoice(int index, Message message, @JsonProperty("finish_reason") String finishReason) {
  }

  record ChunkChoice(int index, Object delta, @JsonProperty("finish_reason") String finishReason) {
  }

  record TextChoice(int index, String text, Object logprobs, @JsonProperty("finish_reason") String finishReason) {
  }

  record Message(String role, String content) {
  }

  record Usage(@JsonProperty("prompt_tokens") int promptTokens,
      @JsonProperty("completion_tokens") int completionTokens,
      @JsonProperty("total_tokens") int totalTokens) {
  }

  /** {@code {"error": {...}}}. */
  record ErrorBody(Error error) {
  }

  record Error(String message, String type, String param, String code) {
  }
}
