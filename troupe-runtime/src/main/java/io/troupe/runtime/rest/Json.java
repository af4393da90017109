package io.troupe.runtime.rest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/** The REST API's JSON mapper and response helpers. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new Jdk8Module())
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private Json() {}

  public static void send(ServerResponse res, Status status, Object body) {
    try {
      byte[] bytes = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
      res.status(status);
      res.header(HeaderNames.CONTENT_TYPE, "application/json");
      res.send(bytes);
    } catch (Exception e) {
      res.status(Status.INTERNAL_SERVER_ERROR_500).send("{\"error\": \"cannot encode response\"}");
    }
  }

  public static void ok(ServerResponse res, Object body) {
    send(res, Status.OK_200, body);
  }

  /** An error in the shape {"error": "..."}; the message says what is wrong and how to fix it. */
  public static void error(ServerResponse res, Status status, String message) {
    send(res, status, Map.of("error", message));
  }
}
