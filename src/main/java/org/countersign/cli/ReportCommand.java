package org.countersign.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.countersign.Durations;
import org.countersign.domain.RequestId;
import org.countersign.webhook.Secret;
import org.countersign.webhook.Signature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code countersign report EMG-12 succeeded}: tells the service how the deploy went, over the signed deploy
 * webhook ({@code POST /webhooks/deploy}). A report that could not be delivered is sent again with the same
 * delivery id, so it is recorded once however often it is retried.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Report a deploy step of an approved request: started, succeeded, failed or rolled-back.")
final class ReportCommand extends ServiceCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the command takes, and what the webhook calls it. */
    enum Step {
        STARTED("started"), SUCCEEDED("succeeded"), FAILED("failed"), ROLLED_BACK("rolled_back");

        final String wire;

        Step(String wire) { this.wire = wire; }

        static Step parse(String text) {
            for (var s : values())
                if (s.name().replace('_', '-').equalsIgnoreCase(text.strip()) || s.wire.equalsIgnoreCase(text.strip()))
                    return s;
            throw new ServerOptions.Usage("\"" + text + "\" is not a deploy step; use started, succeeded, failed or rolled-back");
        }
    }


    @Parameters(index = "0", paramLabel = "REQUEST", description = "The request id, such as EMG-12")
    String request;

    @Parameters(index = "1", paramLabel = "STEP", description = "started, succeeded, failed or rolled-back")
    String step;

    @Option(names = "--url", paramLabel = "URL", description = "Where to see the deploy run")
    String url;

    @Option(names = "--note", paramLabel = "TEXT", description = "A note for the timeline")
    String note;

    @Option(names = "--unreachable-after", paramLabel = "DURATION", defaultValue = "2m",
            description = "How long to keep retrying an unreachable server before exit 5 (default ${DEFAULT-VALUE})")
    String unreachableAfter;

    ReportCommand(Map<String, String> env) { super(env); }

    @Override
    public Integer call() throws InterruptedException {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try {
            var id = RequestId.parse(request).orElseThrow(() ->
                    new ServerOptions.Usage("\"" + request + "\" is not a request id; use the form EMG-12"));
            var s = Step.parse(step);
            var giveUp = Durations.parse(unreachableAfter).orElseThrow(() -> new ServerOptions.Usage(
                    "--unreachable-after \"" + unreachableAfter + "\" is not " + Durations.EXPECTED));
            var secretText = env.getOrDefault("COUNTERSIGN_WEBHOOK_SECRET", env.get("INBOUND_WEBHOOK_SECRET"));
            if (secretText == null || secretText.isBlank())
                throw new ServerOptions.Usage("Set COUNTERSIGN_WEBHOOK_SECRET to the service's INBOUND_WEBHOOK_SECRET: "
                        + "reports are signed with it");
            var uri = server.base(env).resolve("/webhooks/deploy");
            var body = body(id, s);
            var delivery = "cli-" + UUID.randomUUID();
            var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            var started = Instant.now();
            long backoff = 250;
            while (true) {
                long now = Instant.now().getEpochSecond();
                var send = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
                        .header("Content-Type", "application/json")
                        .header(Signature.DELIVERY, delivery)
                        .header(Signature.TIMESTAMP, Long.toString(now))
                        .header(Signature.SIGNATURE, Signature.sign(Secret.of(secretText.strip()), now, body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                String trouble;
                try {
                    var response = http.send(send, HttpResponse.BodyHandlers.ofString());
                    int status = response.statusCode();
                    var message = WaitCommand.message(response.body());
                    if (status == 200) {
                        out.println(message.isEmpty() ? id + ": recorded" : message);
                        return Exit.OK;
                    }
                    if (status == 409 && message.contains("being handled right now")) {
                        trouble = message;
                    } else if (status == 409) {
                        err.println(id + ": refused: " + message);
                        return Exit.REFUSED;
                    } else if (status < 500 && status != 429) {
                        err.println(id + ": " + message + (status == 401 ? " (check COUNTERSIGN_WEBHOOK_SECRET)" : ""));
                        return Exit.USAGE;
                    } else {
                        trouble = "the server answered " + status + ": " + message;
                    }
                } catch (IOException e) {
                    trouble = "cannot reach " + uri.getHost() + ":" + WaitCommand.port(uri) + " ("
                            + WaitCommand.describe(e) + ")";
                }
                if (Duration.between(started, Instant.now()).compareTo(giveUp) >= 0) {
                    err.println(id + ": " + trouble + "; gave up");
                    return Exit.UNREACHABLE;
                }
                err.println(id + ": " + trouble + "; retrying");
                err.flush();
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 10_000);
            }
        } catch (ServerOptions.Usage e) {
            err.println(e.getMessage());
            return Exit.USAGE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private byte[] body(RequestId id, Step s) {
        var body = new LinkedHashMap<String, Object>();
        body.put("request", id.toString());
        body.put("status", s.wire);
        if (url != null) body.put("url", url);
        if (note != null) body.put("note", note);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings is always JSON", e);
        }
    }
}
