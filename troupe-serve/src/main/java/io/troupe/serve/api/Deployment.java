package io.troupe.serve.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class as a deployment and gives its options in code (Ray Serve's {@code @serve.deployment}).
 * Every element defaults to "unset" (a sentinel), so that the builder and the config file can
 * override it; see {@link DeploymentOptions#resolve}. Options that an annotation cannot express well
 * (autoscaling, placement-group bundles, user_config) are set with {@link DeploymentConfig.Builder}
 * or in the config file.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Deployment {
  int UNSET = Integer.MIN_VALUE;
  double UNSET_DOUBLE = -1.0;

  /** Deployment name; "" means the class's simple name. */
  String name() default "";

  /** Code version; "" means derived from the class and its init args. */
  String version() default "";

  int numReplicas() default UNSET;

  int maxOngoingRequests() default UNSET;

  /** -1 for no limit. */
  int maxQueuedRequests() default UNSET;

  double numCpus() default UNSET_DOUBLE;

  double numGpus() default UNSET_DOUBLE;

  /** Bytes. */
  long memory() default -1L;

  double healthCheckPeriodS() default UNSET_DOUBLE;

  double healthCheckTimeoutS() default UNSET_DOUBLE;

  double gracefulShutdownWaitLoopS() default UNSET_DOUBLE;

  double gracefulShutdownTimeoutS() default UNSET_DOUBLE;

  /** Routing policy by name ({@code pow2}, {@code prefix_aware}); "" means unset (pow2). */
  String requestRouter() default "";
}
