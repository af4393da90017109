package io.troupe.serve.controller;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The controller checkpoint as JSON bytes, for the control service's KV store (key {@link #KEY}):
 * {@code {"format": 1, "checkpoint": {...}}}. Readable by people (it sits in the head's
 * {@code --state-dir}), versioned so a later format can be told apart. Targets are plain data
 * (JSON-like init args and user_config, {@link DeploymentTarget.HandleArg} for handles, written as
 * {@code {"$handle": name}}), so the round trip is exact up to number types (an {@code int} may come
 * back as a {@code long} only if it did not fit). Stateless and thread-safe.
 */
public final class CheckpointCodec {
  /** Where the head's serve controller keeps its checkpoint. */
  public static final String KEY = "serve/controller/checkpoint";
  static final int FORMAT = 1;
  private static final String HANDLE = "$handle";

  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module())
      .registerModule(new JavaTimeModule())
      .registerModule(new SimpleModule().addSerializer(DeploymentTarget.HandleArg.class, new HandleSerializer()))
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private CheckpointCodec() {
  }

  public static byte[] encode(ControllerCheckpoint cp) {
    try {
      return JSON.writeValueAsBytes(Map.of("format", FORMAT, "checkpoint", cp));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot encode the serve checkpoint: " + e.getMessage(), e);
    }
  }

  /** Throws {@link IllegalArgumentException} naming the problem when {@code bytes} is not a checkpoint this version reads. */
  public static ControllerCheckpoint decode(byte[] bytes) {
    try {
      JsonNode root = JSON.readTree(bytes);
      if (root == null || !root.has("format") || root.get("format").asInt() != FORMAT) {
        throw new IllegalArgumentException("not a serve checkpoint of format " + FORMAT + " (found format "
            + (root != null && root.has("format") ? root.get("format") : "none") + ")");
      }
      ControllerCheckpoint raw = JSON.treeToValue(root.get("checkpoint"), ControllerCheckpoint.class);
      return withHandles(raw);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the serve checkpoint: " + e.getMessage(), e);
    }
  }

  /** Turns {@code {"$handle": name}} init args back into {@link DeploymentTarget.HandleArg}s. */
  private static ControllerCheckpoint withHandles(ControllerCheckpoint cp) {
    List<ControllerCheckpoint.App> apps = new ArrayList<>();
    for (ControllerCheckpoint.App a : cp.applications()) {
      List<ControllerCheckpoint.Deployment> ds = new ArrayList<>();
      for (ControllerCheckpoint.Deployment d : a.deployments()) {
        DeploymentTarget t = d.target();
        List<Object> args = new ArrayList<>();
        for (Object arg : t.initArgs()) {
          args.add(arg instanceof Map<?, ?> m && m.size() == 1 && m.get(HANDLE) instanceof String name
              ? new DeploymentTarget.HandleArg(name) : arg);
        }
        ds.add(new ControllerCheckpoint.Deployment(
            new DeploymentTarget(t.id(), t.className(), args, t.config(), t.numReplicas()), d.deleting(), d.replicas()));
      }
      apps.add(new ControllerCheckpoint.App(a.name(), a.routePrefix(), a.ingress(), a.deleting(), ds));
    }
    return new ControllerCheckpoint(apps);
  }

  private static final class HandleSerializer extends StdSerializer<DeploymentTarget.HandleArg> {
    HandleSerializer() {
      super(DeploymentTarget.HandleArg.class);
    }

    @Override
    public void serialize(DeploymentTarget.HandleArg h, JsonGenerator gen, SerializerProvider p) throws IOException {
      gen.writeStartObject();
      gen.writeStringField(HANDLE, h.deployment());
      gen.writeEndObject();
    }
  }
}
