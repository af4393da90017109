/**
 * Troupe's serving layer (applications, deployments, replicas, controller, proxy, router, handles).
 * {@code io.troupe.serve.api} is public; everything else is internal.
 */
package io.troupe.serve;
