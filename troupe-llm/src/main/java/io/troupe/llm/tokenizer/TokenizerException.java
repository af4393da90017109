package io.troupe.llm.tokenizer;

/** A tokenizer file that cannot be read or uses a component this implementation does not support. */
public final class TokenizerException extends RuntimeException {
    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
