/**
 * Extension points of the runtime for the layers above it: {@link io.troupe.runtime.spi.NodeExtension}
 * (routes and services a layer adds to a node, passed in its config). Public and stable like
 * {@code io.troupe.runtime.api}.
 */
package io.troupe.runtime.spi;
