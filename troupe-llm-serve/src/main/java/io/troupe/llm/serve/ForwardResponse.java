package io.troupe.llm.serve;

import java.io.Serializable;

/**
 * An external engine's answer (or the head of a streamed one, whose body chunks follow as strings).
 *
 * @param status      its HTTP status
 * @param contentType its content type
 * @param retryAfter  its {@code Retry-After} header, or null
 * @param body        the whole body (empty for the head of a stream)
 */
public record ForwardResponse(int status, String contentType, String retryAfter, byte[] body) implements Serializable {}
