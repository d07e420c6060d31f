package org.countersign.github;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.countersign.app.KeyValues;
import org.countersign.domain.RequestId;

/**
 * Which GitHub runs wait on which request, in Redis (through {@link KeyValues}): {@code github:links:<id>} holds the
 * request's links, {@code github:open:<repo>:<env>:<sha>} the request opened for that deployment, and
 * {@code github:answered:<id>:<run>:<env>} that GitHub was answered. Kept 31 days: GitHub waits 30 at most.
 */
final class Links {
    static final Duration KEPT = Duration.ofDays(31);
    static final Duration LOCK = Duration.ofSeconds(15);
    static final Duration LOCK_WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<Stored>> LIST = new TypeReference<>() {};

    private final KeyValues kv;
    private final String holder;

    Links(KeyValues kv, String holder) {
        this.kv = kv;
        this.holder = holder;
    }

    List<Link> of(RequestId id) {
        return kv.get("github:links:" + id).map(Links::read).orElse(List.of()).stream().map(Stored::link).toList();
    }

    /** Adds a link to a request (once per run and environment); true when it was not there yet. */
    boolean add(RequestId id, Link link) {
        return locked("links:" + id, () -> {
            var stored = new ArrayList<>(kv.get("github:links:" + id).map(Links::read).orElse(List.of()));
            if (stored.stream().anyMatch(s -> s.link().key().equals(link.key()))) return false;
            stored.add(Stored.of(link));
            kv.put("github:links:" + id, write(stored), KEPT);
            return true;
        });
    }

    Optional<RequestId> openedFor(String repo, String environment, String sha) {
        return kv.get(openKey(repo, environment, sha)).flatMap(RequestId::parse);
    }

    void opened(String repo, String environment, String sha, RequestId id) {
        kv.put(openKey(repo, environment, sha), id.toString(), KEPT);
    }

    boolean answered(RequestId id, Link link) { return kv.get(answeredKey(id, link)).isPresent(); }

    void answered(RequestId id, Link link, String how) { kv.put(answeredKey(id, link), how, KEPT); }

    /**
     * Runs {@code work} holding a short lock in Redis, so two deliveries for one deployment (on two instances, too)
     * open one request; null when another holder kept the lock for longer than {@link #LOCK_WAIT}.
     */
    <T> T locked(String name, Supplier<T> work) {
        var key = "github:lock:" + name;
        long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
        while (!kv.putIfAbsent(key, holder, LOCK)) {
            if (System.nanoTime() > deadline) return null;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        try {
            return work.get();
        } finally {
            kv.delete(key);
        }
    }

    private static String openKey(String repo, String environment, String sha) {
        return "github:open:" + repo + ":" + environment + ":" + sha;
    }

    private static String answeredKey(RequestId id, Link link) { return "github:answered:" + id + ":" + link.key(); }

    private static List<Stored> read(String json) {
        try {
            return JSON.readValue(json, LIST);
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable GitHub links", e);
        }
    }

    private static String write(List<Stored> links) {
        try {
            return JSON.writeValueAsString(links);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A link as JSON keeps it. */
    record Stored(String repo, String environment, String sha, long runId, String callback, long installation) {
        static Stored of(Link l) {
            return new Stored(l.repo(), l.environment(), l.sha(), l.runId(), l.callback().toString(), l.installation());
        }

        Link link() { return new Link(repo, environment, sha, runId, java.net.URI.create(callback), installation); }
    }
}
