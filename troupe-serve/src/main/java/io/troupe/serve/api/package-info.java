/**
 * The public API of Troupe's serving layer (Ray Serve's {@code serve} module): deployment options
 * ({@link io.troupe.serve.api.DeploymentConfig}, {@link io.troupe.serve.api.Deployment},
 * {@link io.troupe.serve.api.AutoscalingConfig}), applications as graphs of bound deployments
 * ({@link io.troupe.serve.api.Application}), the status vocabulary and the exceptions callers see.
 * Everything outside {@code io.troupe.serve.api} is internal to the serving layer.
 */
package io.troupe.serve.api;
