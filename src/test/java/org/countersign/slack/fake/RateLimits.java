package org.countersign.slack.fake;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Slack's Web API rate limits, as its docs give them (docs.slack.dev/apis/web-api/rate-limits): {@code chat.postMessage}
 * about one message a second per channel with short bursts allowed; {@code chat.update} Tier 3, 50+ a minute per
 * workspace with sporadic bursts; {@code chat.postEphemeral} Tier 4, 100+ a minute. A call over its limit is answered
 * 429 with Retry-After, the seconds until the limit has room again. Each limit is a token bucket on real time.
 */
public final class RateLimits {
  /** A limit: {@code burst} calls at once, refilled at {@code perMinute} a minute. */
  public record Limit(double perMinute, int burst) {}

  /** A call as its limit saw it: when (System.nanoTime), which limit, and the Retry-After (0: it went through). */
  public record Taken(long atNanos, String limit, int retryAfterSeconds) {}

  /** A call Slack refused for its rate: when (System.nanoTime), the method, the channel, and the Retry-After. */
  public record Refused(long atNanos, String method, String channel, int retryAfterSeconds) {}

  private final Map<String, Limit> perChannel = new HashMap<>();
  private final Map<String, Limit> perWorkspace = new HashMap<>();
  private final Map<String, double[]> buckets = new HashMap<>(); // key -> {tokens, last nanos}
  private final List<Refused> refused = new ArrayList<>();
  private final List<Taken> taken = new ArrayList<>();

  /** The figures Slack publishes. */
  public static RateLimits slacks() {
    return new RateLimits().perChannel("chat.postMessage", new Limit(60, 4))
        .perWorkspace("chat.update", new Limit(50, 10))
        .perWorkspace("chat.postEphemeral", new Limit(100, 20));
  }

  public RateLimits perChannel(String method, Limit limit) {
    perChannel.put(method, limit);
    return this;
  }

  public RateLimits perWorkspace(String method, Limit limit) {
    perWorkspace.put(method, limit);
    return this;
  }

  /** Takes a call out of its limit: 0 when it may go, else the Retry-After in seconds. */
  synchronized int take(String method, String channel, long nowNanos) {
    Limit limit = perChannel.get(method);
    String key = method + " " + channel;
    if (limit == null) {
      limit = perWorkspace.get(method);
      key = method;
    }
    if (limit == null) {
      return 0;
    }
    double perNano = limit.perMinute() / Duration.ofMinutes(1).toNanos();
    int burst = limit.burst();
    double[] bucket = buckets.computeIfAbsent(key, k -> new double[] {burst, nowNanos});
    bucket[0] = Math.min(limit.burst(), bucket[0] + (nowNanos - bucket[1]) * perNano);
    bucket[1] = nowNanos;
    if (bucket[0] >= 1) {
      bucket[0] -= 1;
      taken.add(new Taken(nowNanos, key, 0));
      return 0;
    }
    int retryAfter = (int) Math.max(1, Math.ceil((1 - bucket[0]) / perNano / 1e9));
    refused.add(new Refused(nowNanos, method, channel, retryAfter));
    taken.add(new Taken(nowNanos, key, retryAfter));
    return retryAfter;
  }

  /** Every call a limit counted so far, oldest first. */
  public synchronized List<Taken> taken() {
    return List.copyOf(taken);
  }

  /** Every call refused so far, oldest first. */
  public synchronized List<Refused> refused() {
    return List.copyOf(refused);
  }
}
