/**
 * Example deployments, one package each, with their serve configs under {@code examples/<name>/}
 * in the repository (also on the classpath as {@code examples/<name>/serve.yaml}). The CLI depends on
 * this module, so every node started by {@code troupe start} / {@code troupe demo} can import them.
 */
package io.troupe.examples;
