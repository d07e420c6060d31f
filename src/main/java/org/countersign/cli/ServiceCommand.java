package org.countersign.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to a Countersign service: where it is and the token ({@link ServerOptions}), and the environment. */
abstract class ServiceCommand implements Callable<Integer> {
    /** Stands in for the process environment (tests give their own). */
    final Map<String, String> env;

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server = new ServerOptions();

    ServiceCommand(Map<String, String> env) { this.env = env; }
}
