package org.countersign.cli;

import java.nio.file.Path;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.countersign.PolicyFile;
import org.countersign.domain.Policy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code countersign check-policy FILE}: every problem of a policy file, before the service is started with it. */
@Command(name = "check-policy", mixinStandardHelpOptions = true,
        description = "Check a policy file; print every problem, and exit 1 when there is one.")
final class CheckPolicyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The policy file, as POLICY_FILE would name it")
    Path file;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try {
            var policy = PolicyFile.load(file);
            out.println(file + ": valid. Teams: " + String.join(", ", new TreeSet<>(policy.teams().keySet()))
                    + "; reasons: " + String.join(", ", new TreeSet<>(policy.reasons().keySet())) + ".");
            return Exit.OK;
        } catch (Policy.InvalidPolicy e) {
            err.println(file + ": " + e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems"));
            e.problems().forEach(p -> err.println("  - " + p));
            return Exit.REFUSED;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
