package org.countersign.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.countersign.receipt.AuditLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code countersign verify-audit audit.jsonl}: finds an edited, removed, added or moved line in an audit export. */
@Command(name = "verify-audit", mixinStandardHelpOptions = true,
        description = "Verify an audit export (GET /api/audit): every line's hash, the chain, and the signed end.")
final class VerifyAuditCommand extends ServiceCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "The export, as GET /api/audit answered it")
    Path file;

    @Mixin
    KeysOption keys = new KeysOption();

    VerifyAuditCommand(Map<String, String> env) { super(env); }

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try {
            java.util.List<String> lines;
            try {
                lines = Files.readAllLines(file);
            } catch (NoSuchFileException e) {
                throw new ServerOptions.Usage(file + ": no such file");
            } catch (IOException e) {
                throw new ServerOptions.Usage(file + " cannot be read as UTF-8 text: " + e.getMessage());
            }
            var trusted = keys.load(server, env);
            var verdict = AuditLog.verify(lines, trusted);
            if (verdict.problem().isPresent()) {
                err.println(file + ": NOT intact: " + verdict.problem().get());
                return Exit.REFUSED;
            }
            out.println(file + ": intact: " + verdict.entries() + " entries, chained, signed by key " + verdict.keyId());
            return Exit.OK;
        } catch (ServerOptions.Usage e) {
            err.println(e.getMessage());
            return Exit.USAGE;
        } catch (TrustedKeys.Unreachable e) {
            err.println(e.getMessage());
            return Exit.UNREACHABLE;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
