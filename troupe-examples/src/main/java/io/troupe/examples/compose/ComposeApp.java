package io.troupe.examples.compose;

import io.troupe.serve.api.Application;
import io.troupe.serve.api.BoundDeployment;

/**
 * Two-stage composition with streaming: the ingress {@link Preprocessor} receives a
 * {@code DeploymentHandle<Model>} in its constructor and calls the {@link Model} through it.
 * {@code import_path: io.troupe.examples.compose.ComposeApp:app} (examples/compose/README.md).
 */
public final class ComposeApp {
  private ComposeApp() {}

  /** Preprocessor (ingress) → Model, bound through the Preprocessor's constructor. */
  public static Application app() {
    return Application.of(BoundDeployment.bind(Preprocessor.class, null, BoundDeployment.bind(Model.class, null)));
  }
}
