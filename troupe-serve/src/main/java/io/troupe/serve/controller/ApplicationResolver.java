package io.troupe.serve.controller;

import io.troupe.serve.api.Application;
import io.troupe.serve.config.ApplicationConfig;

/**
 * Turns a config file's {@code import_path} and {@code args} into an {@link Application}: the
 * wiring loads the Java class (a deployment class, bound with no args, or an application builder
 * called with the args). Throwing fails the deploy of that application only, with the message.
 */
@FunctionalInterface
public interface ApplicationResolver {
  Application resolve(ApplicationConfig app) throws Exception;
}
