package io.troupe.llm.engine;

import io.troupe.llm.api.FinishReason;
import io.troupe.llm.api.GenerationEvent;
import io.troupe.llm.api.GenerationListener;
import java.util.ArrayList;
import java.util.List;

/** Test listener recording a request's events; thread-safe for the background-loop test. */
final class Collector implements GenerationListener {
  final List<Integer> tokens = new ArrayList<>();
  volatile GenerationEvent.Finished finished;

  @Override
  public synchronized void onEvent(GenerationEvent e) {
    switch (e) {
      case GenerationEvent.Token t -> {
        if (finished != null || t.index() != tokens.size()) {
          throw new AssertionError("token after finish or out of order: " + t);
        }
        tokens.add(t.tokenId());
      }
      case GenerationEvent.Finished f -> {
        if (finished != null) {
          throw new AssertionError("finished twice");
        }
        finished = f;
      }
    }
  }

  synchronized List<Integer> tokens() {
    return List.copyOf(tokens);
  }

  FinishReason reason() {
    return finished == null ? null : finished.reason();
  }
}
