/**
 * Autoscaling decisions as pure functions (Ray Serve's {@code autoscaling_policy}). Internal to the
 * serving layer; the controller feeds them request metrics and applies their decisions.
 */
package io.troupe.serve.autoscaling;
