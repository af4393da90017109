package io.troupe.runtime.node;

import io.troupe.runtime.api.ActorId;
import java.nio.file.Path;

/** Where the actors of a node log to (see {@code io.troupe.runtime.logs}); {@link #NONE} keeps no files. */
public interface ActorLogs {
  ActorLogs NONE = new ActorLogs() {
    @Override
    public Path fileFor(ActorId id, String name) {
      return null;
    }

    @Override
    public void released(Path file) {
    }
  };

  /** The file actor {@code id} (named {@code name}, may be null) logs to; null for none. */
  Path fileFor(ActorId id, String name);

  /** The actor that logged to {@code file} stopped. */
  void released(Path file);
}
