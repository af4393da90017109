package io.troupe.llm.chat;

/**
 * A chat template that cannot be parsed or rendered: a syntax error, an unsupported Jinja
 * construct, a type error, or a {@code raise_exception(...)} called by the template itself.
 * The message names the template line.
 */
public final class TemplateException extends RuntimeException {
    private final int line;

    public TemplateException(String message, int line) {
        super("chat template line " + line + ": " + message);
        this.line = line;
    }

    /** The 1-based template line the problem was found on. */
    public int line() {
        return line;
    }
}
