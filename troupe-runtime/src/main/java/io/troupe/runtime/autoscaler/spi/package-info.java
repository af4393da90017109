/**
 * The cluster autoscaler's extension point: {@link io.troupe.runtime.autoscaler.spi.NodeProvider}, which starts
 * and stops machines, and the values it receives. Public and stable like {@code io.troupe.runtime.api}.
 */
package io.troupe.runtime.autoscaler.spi;
