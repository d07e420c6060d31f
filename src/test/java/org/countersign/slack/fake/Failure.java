package org.countersign.slack.fake;

/** A fault the fake answers with instead of doing the call, armed by {@link FakeSlack#failNext}. */
public sealed interface Failure {

  /** HTTP 429, {@code Retry-After: seconds}, body {@code {"ok":false,"error":"ratelimited"}}. */
  static Failure rateLimited(int retryAfterSeconds) {
    return new RateLimited(retryAfterSeconds);
  }

  /** HTTP 200 with {@code {"ok":false,"error":code}}, the way Slack reports every method error. */
  static Failure error(String code) {
    return new Error(code);
  }

  /** HTTP 503 with {@code {"ok":false,"error":"service_unavailable"}}. */
  static Failure down() {
    return new Down();
  }

  /** The connection is closed before any response is written. */
  static Failure disconnect() {
    return new Disconnect();
  }

  /** The call is done (a message is posted), then the connection is closed before the answer is written. */
  static Failure disconnectAfter() {
    return new DisconnectAfter();
  }

  record RateLimited(int retryAfterSeconds) implements Failure {
    public RateLimited {
      if (retryAfterSeconds < 0) {
        throw new IllegalArgumentException("retryAfterSeconds < 0: " + retryAfterSeconds);
      }
    }
  }

  record Error(String code) implements Failure {
    public Error {
      if (code == null || code.isBlank()) {
        throw new IllegalArgumentException("error code is blank: " + code);
      }
    }
  }

  record Down() implements Failure {}

  record Disconnect() implements Failure {}

  record DisconnectAfter() implements Failure {}
}
