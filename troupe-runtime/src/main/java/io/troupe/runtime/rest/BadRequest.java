package io.troupe.runtime.rest;

/** A request the REST API refuses with 400; the message says which field is wrong and how to fix it. */
final class BadRequest extends RuntimeException {
  BadRequest(String message) {
    super(message, null, false, false);
  }
}
