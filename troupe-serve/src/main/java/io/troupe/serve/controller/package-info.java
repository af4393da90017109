/**
 * The serve controller's reconcilers (Ray Serve's controller, application_state and
 * deployment_state), free of Pekko. All side effects go through {@link io.troupe.serve.controller.ClusterOps};
 * time is an injected {@link java.time.InstantSource}. Internal to the serving layer.
 */
package io.troupe.serve.controller;
