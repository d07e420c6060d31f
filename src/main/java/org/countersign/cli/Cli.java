package org.countersign.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code countersign}, the command line in the service's jar: a pipeline waits for a decision, reports its deploy,
 * checks a policy file. {@code java -jar countersign.jar} with no arguments runs the service instead (see Main).
 */
@Command(name = "countersign", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "Emergency deployments, countersigned. With no command, java -jar countersign.jar runs the service.",
        subcommands = {OpenCommand.class, WaitCommand.class, ReportCommand.class, VerifyCommand.class, VerifyAuditCommand.class,
                CheckPolicyCommand.class},
        footer = {"", "Exit codes:",
                "  0  opened (open); approved (wait, open --wait); recorded (report); verified (verify,",
                "     verify-audit); valid (check-policy)",
                "  1  refused (open); rejected or cancelled (wait); refused by the request's state (report);",
                "     not verified (verify, verify-audit); problems (check-policy)",
                "  2  expired, or its approval went stale (wait)",
                "  3  still undecided at --timeout (wait)",
                "  4  usage or authentication error, unknown request",
                "  5  server unreachable"})
public final class Cli implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Cli() {}

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a command: open, wait, report, verify, verify-audit or check-policy");
    }

    /** Runs the command line; returns its exit code. {@code env} stands in for the process environment. */
    public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
        var cli = commandLine(env);
        cli.setOut(out);
        cli.setErr(err);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExitCodeExceptionMapper(e -> Exit.USAGE);
        cli.setParameterExceptionHandler((e, a) -> {
            if (e instanceof CommandLine.UnmatchedArgumentException u && e.getCommandLine().getParent() == null
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                err.println("Unknown command \"" + u.getUnmatched().get(0) + "\": use open, wait, report, verify, "
                        + "verify-audit or check-policy (countersign --help tells more)");
                err.flush();
                return Exit.USAGE;
            }
            err.println(e.getMessage());
            if (!CommandLine.UnmatchedArgumentException.printSuggestions(e, err))
                err.println("Try: countersign " + (e.getCommandLine().getParent() == null ? ""
                        : e.getCommandLine().getCommandName() + " ") + "--help");
            err.flush();
            return Exit.USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            err.println("countersign " + c.getCommandName() + ": " + e.getMessage());
            err.flush();
            return Exit.USAGE;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The parser and its commands, not yet run. */
    static CommandLine commandLine(Map<String, String> env) {
        return new CommandLine(new Cli(), new Factory(env));
    }

    /** Gives each command the environment, so tests need not set the real one. */
    private record Factory(Map<String, String> env) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == WaitCommand.class) return type.cast(new WaitCommand(env));
            if (type == ReportCommand.class) return type.cast(new ReportCommand(env));
            if (type == OpenCommand.class) return type.cast(new OpenCommand(env));
            if (type == VerifyCommand.class) return type.cast(new VerifyCommand(env));
            if (type == VerifyAuditCommand.class) return type.cast(new VerifyAuditCommand(env));
            return CommandLine.defaultFactory().create(type);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var v = Cli.class.getPackage().getImplementationVersion();
            return new String[] {"countersign " + (v == null ? "(development build)" : v)};
        }
    }
}
