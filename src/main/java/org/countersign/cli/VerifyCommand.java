package org.countersign.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Locale;
import java.util.Map;
import org.countersign.domain.RequestId;
import org.countersign.receipt.Dsse;
import org.countersign.receipt.Statement;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code countersign verify receipt.json}: checks a receipt's signature against the service's published keys (or
 * given ones), that it is a Countersign approval statement, and, when asked, that it covers a commit or artifact and
 * is the receipt of a given request.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify a receipt (GET /api/requests/EMG-12/receipt): its signature, key, request and subjects.")
final class VerifyCommand extends ServiceCommand {
    private static final ObjectMapper JSON = new ObjectMapper();


    @Parameters(index = "0", paramLabel = "RECEIPT", description = "The receipt file (a DSSE envelope, JSON)")
    Path file;

    @Mixin
    KeysOption keys = new KeysOption();

    @Option(names = "--change", paramLabel = "SHA",
            description = "A commit (40 hex digits) or artifact digest (sha256:…) the receipt must cover")
    String change;

    @Option(names = "--request", paramLabel = "ID", description = "The request the receipt must be for, such as EMG-12")
    String request;

    VerifyCommand(Map<String, String> env) { super(env); }

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try {
            var expected = request == null ? null : RequestId.parse(request).orElseThrow(() ->
                    new ServerOptions.Usage("--request \"" + request + "\" is not a request id; use the form EMG-12"));
            var wanted = change == null ? null : digest(change);
            Dsse.Envelope envelope;
            try {
                envelope = JSON.readValue(Files.readString(file), Dsse.Envelope.class);
            } catch (NoSuchFileException e) {
                throw new ServerOptions.Usage(file + ": no such file");
            } catch (IOException | RuntimeException e) {
                err.println(file + " is not a receipt (a DSSE envelope: payloadType, payload, signatures)");
                return Exit.REFUSED;
            }
            var trusted = keys.load(server, env);
            var kid = Dsse.verifiedBy(envelope, Dsse.IN_TOTO, trusted);
            if (kid.isEmpty()) {
                err.println(file + ": NOT verified: the signature does not hold with any trusted key (it was changed, "
                        + "or signed by another key)");
                return Exit.REFUSED;
            }
            var statement = JSON.readTree(envelope.payloadBytes().orElseThrow());
            if (!Statement.TYPE.equals(statement.path("_type").asText())
                    || !Statement.PREDICATE_TYPE.equals(statement.path("predicateType").asText())) {
                err.println(file + ": signed, but not a Countersign approval statement (predicateType "
                        + statement.path("predicateType").asText() + ")");
                return Exit.REFUSED;
            }
            var predicate = statement.path("predicate");
            var id = predicate.path("request").asText();
            if (expected != null && !expected.toString().equals(id)) {
                err.println(file + ": signed, but it is the receipt of " + id + ", not " + expected);
                return Exit.REFUSED;
            }
            if (wanted != null && !covers(statement.path("subject"), wanted)) {
                err.println(file + ": signed, but " + id + "'s receipt does not cover " + change
                        + " (its subjects: " + subjects(statement.path("subject")) + ")");
                return Exit.REFUSED;
            }
            out.println(file + ": verified, signed by key " + kid.get());
            out.println(id + " is " + predicate.path("state").asText().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + "; " + approvals(predicate) + "; policy sha256 " + predicate.at("/policy/sha256").asText("?"));
            if (wanted != null) out.println("It covers " + change + ".");
            return Exit.OK;
        } catch (ServerOptions.Usage e) {
            err.println(e.getMessage());
            return Exit.USAGE;
        } catch (TrustedKeys.Unreachable e) {
            err.println(e.getMessage());
            return Exit.UNREACHABLE;
        } catch (IOException e) {
            err.println(file + ": the payload is not JSON");
            return Exit.REFUSED;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The digest a pipeline names: a commit's sha1, or an artifact's sha256. */
    record Digest(String algorithm, String hex) {}

    static Digest digest(String text) {
        var t = text.strip().toLowerCase(Locale.ROOT);
        if (t.matches("[0-9a-f]{40}")) return new Digest("sha1", t);
        if (t.matches("(?:.+@)?sha256:[0-9a-f]{64}")) return new Digest("sha256", t.substring(t.length() - 64));
        if (t.matches("[0-9a-f]{64}")) return new Digest("sha256", t);
        throw new ServerOptions.Usage("--change \"" + text + "\" is not a full commit id (40 hex digits) or an artifact "
                + "digest (sha256:<64 hex digits>)");
    }

    static boolean covers(JsonNode subjects, Digest wanted) {
        for (var subject : subjects)
            if (wanted.hex().equalsIgnoreCase(subject.path("digest").path(wanted.algorithm()).asText())) return true;
        return false;
    }

    private static String subjects(JsonNode subjects) {
        var names = new ArrayList<String>();
        subjects.forEach(s -> names.add(s.path("name").asText()));
        return String.join(", ", names);
    }

    private static String approvals(JsonNode predicate) {
        var by = new ArrayList<String>();
        for (var a : predicate.path("approvals"))
            by.add(a.path("team").asText() + ": " + a.path("person").asText(a.path("account").asText()) + " ("
                    + a.path("account").asText() + ", " + a.path("at").asText() + ")");
        return by.isEmpty() ? "no approvals" : "approved by " + String.join(", ", by);
    }
}
