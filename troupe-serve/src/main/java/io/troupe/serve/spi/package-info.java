/**
 * Extension points of the serving layer that users implement: {@link io.troupe.serve.spi.AutoscalingPolicy}
 * (selected by class name in {@code autoscaling_config.policy}) and the immutable values it reads and returns.
 * Public and stable like {@code io.troupe.serve.api}.
 */
package io.troupe.serve.spi;
