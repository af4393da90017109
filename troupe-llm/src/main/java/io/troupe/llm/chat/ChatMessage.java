package io.troupe.llm.chat;

/**
 * One message of a conversation, as passed to a chat template ({@code message['role']},
 * {@code message.content}).
 *
 * @param role "system", "user", "assistant", "tool", ...
 * @param content the text of the message
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        java.util.Objects.requireNonNull(role, "role");
        java.util.Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
