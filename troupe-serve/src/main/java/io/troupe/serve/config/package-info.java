/**
 * The declarative serve config (Ray Serve's {@code ServeDeploySchema}): YAML parsed strictly into
 * {@link io.troupe.serve.config.ServeConfig} records. Internal to the serving layer.
 */
package io.troupe.serve.config;
