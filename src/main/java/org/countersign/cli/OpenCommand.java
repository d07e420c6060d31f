package org.countersign.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code countersign open}: a pipeline opens its own emergency request ({@code POST /api/requests}) with its named
 * API token, so the card and the timeline say which pipeline asked; with {@code --wait} it then waits as
 * {@code countersign wait} does.
 */
@Command(name = "open", mixinStandardHelpOptions = true,
        description = "Open an emergency request (with a named API token); --wait blocks until it is decided.")
final class OpenCommand extends ServiceCommand {
    private static final ObjectMapper JSON = new ObjectMapper();


    @Option(names = "--reason", required = true, paramLabel = "REASON",
            description = "The policy's reason key, such as availability or security")
    String reason;

    @Option(names = "--summary", required = true, paramLabel = "TEXT", description = "What is broken and what this fixes")
    String summary;

    @Option(names = "--change", required = true, paramLabel = "CHANGE",
            description = "A change to deploy (a link, a change number, a commit, sha256:…); repeat for several")
    List<String> changes;

    @Option(names = "--details", paramLabel = "TEXT", description = "More about it")
    String details;

    @Option(names = "--task", paramLabel = "TASK", description = "The task or incident, such as T12345")
    String task;

    @ArgGroup(multiplicity = "1")
    Rollback rollback;

    static final class Rollback {
        @Option(names = "--rollback", required = true, description = "The change is a rollback")
        boolean rollback;

        @Option(names = "--no-rollback", required = true, paramLabel = "WHY",
                description = "The change is not a rollback; say why rolling back is not enough")
        String whyNot;
    }

    @Option(names = "--wait", description = "Then wait until the request is decided; exit as countersign wait does")
    boolean waitToo;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m",
            description = "With --wait: how long to wait for a decision (default ${DEFAULT-VALUE})")
    String timeout;

    OpenCommand(Map<String, String> env) { super(env); }

    @Override
    public Integer call() throws InterruptedException {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        try {
            var base = server.base(env);
            var token = server.token(env);
            if (token == null)
                throw new ServerOptions.Usage("Give the pipeline's API token (COUNTERSIGN_TOKEN or --token): the request "
                        + "says which pipeline asked");
            var body = new LinkedHashMap<String, Object>();
            body.put("reason", reason);
            body.put("summary", summary);
            body.put("changes", changes);
            if (details != null) body.put("details", details);
            if (task != null) body.put("task", task);
            body.put("rollback", rollback.whyNot == null);
            if (rollback.whyNot != null) body.put("why_not_rollback", rollback.whyNot);
            var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> response;
            try {
                response = http.send(HttpRequest.newBuilder(base.resolve("/api/requests")).timeout(Duration.ofSeconds(15))
                        .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                // Not retried: a request that reached the service but whose answer was lost would be opened twice.
                err.println("cannot reach " + base.getHost() + ":" + WaitCommand.port(base) + " ("
                        + WaitCommand.describe(e) + "); nothing was opened, or check the ops channel before retrying");
                return Exit.UNREACHABLE;
            }
            int status = response.statusCode();
            var message = WaitCommand.message(response.body());
            if (status == 401) {
                err.println("the server refused the credentials (401): " + message);
                return Exit.USAGE;
            }
            if (status == 403 || status == 409) {
                err.println("refused: " + message);
                return Exit.REFUSED;
            }
            if (status != 201 && status != 200) {
                err.println((status >= 500 ? "the server answered " + status + ": " : "") + message);
                return status >= 500 ? Exit.UNREACHABLE : Exit.USAGE;
            }
            var id = JSON.readTree(response.body()).path("request").asText();
            out.println(id.isEmpty() ? message : "Opened " + id + ": " + message);
            out.println(base.resolve("/requests/" + id));
            out.flush();
            if (!waitToo) return Exit.OK;
            var wait = new WaitCommand(env);
            wait.server = server;
            wait.request = id;
            wait.timeout = timeout;
            wait.interval = "5s";
            wait.unreachableAfter = "2m";
            return wait.run(out, err);
        } catch (ServerOptions.Usage e) {
            err.println(e.getMessage());
            return Exit.USAGE;
        } catch (JsonProcessingException e) {
            err.println("the server's answer is not JSON; is --server a Countersign service?");
            return Exit.USAGE;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
