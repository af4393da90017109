package io.troupe.serve.compose;

import io.troupe.serve.api.Application;
import io.troupe.serve.api.BoundDeployment;

/**
 * Example of composition and streaming (the shape of a future {@code examples/compose}): an ingress
 * {@link Preprocessor} that receives a {@code DeploymentHandle<Model>} in its constructor.
 * {@code import_path: io.troupe.serve.compose.ComposeApp:app}.
 */
public final class ComposeApp {
  private ComposeApp() {
  }

  /** Preprocessor (ingress) → Model, bound through the Preprocessor's constructor. */
  public static Application app() {
    return Application.of(BoundDeployment.bind(Preprocessor.class, null, BoundDeployment.bind(Model.class, null)));
  }
}
