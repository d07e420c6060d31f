package org.countersign.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.countersign.Durations;
import org.countersign.domain.RequestId;
import org.countersign.domain.State;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code countersign wait EMG-12}: blocks until the request is decided and exits with what was decided. It reads
 * the request from the API, and listens to the live events so it wakes as soon as the request changes (polling
 * every {@code --interval} all the same, so a lost event only delays it). A server that goes away (a restart, a
 * rolling deploy) is waited for, up to {@code --unreachable-after}.
 */
@Command(name = "wait", mixinStandardHelpOptions = true,
        description = "Wait until an emergency request is approved, rejected or expires; the exit code says which.")
final class WaitCommand extends ServiceCommand {
    private static final ObjectMapper JSON = new ObjectMapper();


    @Parameters(index = "0", paramLabel = "REQUEST", description = "The request id, such as EMG-12")
    String request;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m",
            description = "How long to wait for a decision (default ${DEFAULT-VALUE}); then exit 3")
    String timeout;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "5s",
            description = "How often to read the request when no live event came (default ${DEFAULT-VALUE})")
    String interval;

    @Option(names = "--unreachable-after", paramLabel = "DURATION", defaultValue = "2m",
            description = "How long the server may stay unreachable before giving up with exit 5 (default ${DEFAULT-VALUE})")
    String unreachableAfter;

    @Option(names = "--quiet", description = "Print only the decision")
    boolean quiet;

    WaitCommand(Map<String, String> env) { super(env); }

    @Override
    public Integer call() throws InterruptedException {
        return run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** Waits as the options say, printing to {@code out} and {@code err}; returns the exit code. */
    int run(PrintWriter out, PrintWriter err) throws InterruptedException {
        RequestId id;
        URI base;
        Duration waitFor, every, giveUp;
        try {
            id = RequestId.parse(request).orElseThrow(() ->
                    new ServerOptions.Usage("\"" + request + "\" is not a request id; use the form EMG-12"));
            base = server.base(env);
            waitFor = duration("--timeout", timeout);
            every = duration("--interval", interval);
            giveUp = duration("--unreachable-after", unreachableAfter);
        } catch (ServerOptions.Usage e) {
            err.println(e.getMessage());
            return Exit.USAGE;
        }
        var token = server.token(env);
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        var wake = new Semaphore(0);
        var events = new LiveWake(http, base, token, id.toString(), wake);
        events.start();
        try {
            return waitLoop(http, base.resolve("/api/requests/" + id), token, id, Instant.now().plus(waitFor), every,
                    giveUp, wake, out, err);
        } finally {
            events.stop();
        }
    }

    private int waitLoop(HttpClient http, URI uri, String token, RequestId id, Instant deadline, Duration every,
                         Duration giveUp, Semaphore wake, PrintWriter out, PrintWriter err) throws InterruptedException {
        Instant lastAnswer = Instant.now();
        String lastSaid = null;
        Duration backoff = Duration.ofMillis(250);
        while (true) {
            HttpResponse<String> response = null;
            String trouble = null;
            try {
                response = http.send(get(uri, token), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                trouble = "cannot reach " + uri.getHost() + ":" + port(uri) + " (" + describe(e) + ")";
            }
            if (response != null && response.statusCode() >= 500) {
                trouble = "the server answered " + response.statusCode() + ": " + message(response.body());
                response = null;
            }
            var now = Instant.now();
            if (response == null) {
                if (Duration.between(lastAnswer, now).compareTo(giveUp) >= 0 || !now.isBefore(deadline)) {
                    err.println(id + ": " + trouble + "; gave up");
                    return Exit.UNREACHABLE;
                }
                if (!quiet) err.println(id + ": " + trouble + "; retrying");
                err.flush();
                Thread.sleep(Math.min(backoff.toMillis(), Math.max(1, Duration.between(now, deadline).toMillis())));
                backoff = min(backoff.multipliedBy(2), Duration.ofSeconds(10));
                continue;
            }
            lastAnswer = now;
            backoff = Duration.ofMillis(250);
            int status = response.statusCode();
            if (status == 401 || status == 403) {
                err.println(id + ": the server refused the credentials (" + status + "): " + message(response.body())
                        + ". Give a token with --token or COUNTERSIGN_TOKEN");
                return Exit.USAGE;
            }
            if (status == 404) {
                err.println(id + ": " + message(response.body()));
                return Exit.USAGE;
            }
            if (status == 429) {
                long seconds = response.headers().firstValue("Retry-After").map(WaitCommand::seconds).orElse(5L);
                if (!quiet) err.println(id + ": the server asks to slow down; waiting " + seconds + " s");
                err.flush();
                Thread.sleep(Math.min(seconds * 1000, Math.max(1, Duration.between(now, deadline).toMillis())));
                if (!Instant.now().isBefore(deadline)) return undecided(id, lastSaid, out);
                continue;
            }
            if (status != 200) {
                err.println(id + ": unexpected answer " + status + ": " + message(response.body()));
                return Exit.USAGE;
            }
            JsonNode view;
            try {
                view = JSON.readTree(response.body());
            } catch (IOException e) {
                err.println(id + ": the server's answer is not JSON; is --server a Countersign service?");
                return Exit.USAGE;
            }
            State state;
            try {
                state = State.valueOf(view.path("state").asText());
            } catch (IllegalArgumentException e) {
                err.println(id + ": the server's answer has no state; is --server a Countersign service?");
                return Exit.USAGE;
            }
            var said = describe(id, state, view);
            var decided = exitFor(state);
            if (decided.isPresent()) {
                out.println(said);
                out.flush();
                return decided.getAsInt();
            }
            if (!quiet && !said.equals(lastSaid)) {
                out.println(said);
                out.flush();
            }
            lastSaid = said;
            var left = Duration.between(Instant.now(), deadline);
            if (left.isNegative() || left.isZero()) return undecided(id, lastSaid, out);
            wake.tryAcquire(min(every, left).toMillis(), TimeUnit.MILLISECONDS);
            wake.drainPermits();
        }
    }

    /** The exit code for a decided request, or empty while it is undecided. */
    static OptionalInt exitFor(State state) {
        return switch (state) {
            case PENDING -> OptionalInt.empty();
            // Approved, and perhaps deployed or closed since: the countersignature was given.
            case APPROVED, DEPLOYING, DEPLOYED, FAILED, ROLLED_BACK, CLOSED -> OptionalInt.of(Exit.OK);
            case REJECTED, CANCELLED -> OptionalInt.of(Exit.REFUSED);
            case EXPIRED -> OptionalInt.of(Exit.EXPIRED);
        };
    }

    /** One line for people reading the pipeline's log: the state, and what it is waiting for or who decided. */
    static String describe(RequestId id, State state, JsonNode view) {
        var line = new StringBuilder(id.toString()).append(" ").append(state.phrase());
        if (state == State.PENDING) {
            var missing = new ArrayList<String>();
            for (var team : view.path("teams")) {
                if (team.path("satisfied").asBoolean()) continue;
                // "approved" counts them even where a confidential request hides who approved.
                int approved = team.path("approved").asInt(team.path("approvals").size());
                missing.add(team.path("label").asText(team.path("team").asText()) + " (" + approved + " of "
                        + team.path("needed").asInt(1) + ")");
            }
            if (!missing.isEmpty()) line.append(": waiting for ").append(String.join(", ", missing));
        } else if (state == State.REJECTED || state == State.CANCELLED) {
            var rejection = view.path("rejection");
            if (rejection.has("by")) line.append(" by ").append(rejection.path("by").asText());
            var reason = rejection.path("reason");
            if (reason.isTextual()) line.append(": ").append(reason.asText());
        } else if (state != State.EXPIRED) {
            var by = new ArrayList<String>();
            for (var team : view.path("teams"))
                for (var approval : team.path("approvals"))
                    by.add(team.path("label").asText(team.path("team").asText()) + ": " + approval.path("by").asText());
            if (!by.isEmpty()) line.append(" (approved by ").append(String.join(", ", by)).append(")");
            if (state != State.APPROVED && state != State.DEPLOYING)
                line.append("; its deploy has ended: another deploy needs a new request");
        }
        return line.toString();
    }

    private int undecided(RequestId id, String lastSaid, PrintWriter out) {
        out.println((lastSaid == null ? id + " is pending" : lastSaid) + "; no decision within " + timeout);
        out.flush();
        return Exit.UNDECIDED;
    }

    static HttpRequest get(URI uri, String token) {
        var b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15)).header("Accept", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b.build();
    }

    private static Duration duration(String option, String text) {
        var d = Durations.parse(text).orElseThrow(() ->
                new ServerOptions.Usage(option + " \"" + text + "\" is not " + Durations.EXPECTED));
        if (d.isNegative() || d.isZero()) throw new ServerOptions.Usage(option + " must be longer than 0");
        return d;
    }

    static String message(String body) {
        try {
            var node = JSON.readTree(body);
            if (node != null && node.path("error").isTextual()) return node.path("error").asText();
        } catch (IOException | RuntimeException e) {
            // not our JSON: show its start
        }
        var text = body == null ? "" : body.strip();
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    static String describe(IOException e) {
        var m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    static int port(URI uri) {
        return uri.getPort() > 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
    }

    private static long seconds(String retryAfter) {
        try {
            return Math.max(1, Math.min(300, Long.parseLong(retryAfter.strip())));
        } catch (NumberFormatException e) {
            return 5;
        }
    }

    private static Duration min(Duration a, Duration b) { return a.compareTo(b) <= 0 ? a : b; }
}
