package org.countersign.matrix;

import java.time.Duration;
import java.util.Optional;

/**
 * A call to the homeserver that did not succeed: a Matrix error response ({@code errcode}/{@code error}), an HTTP
 * error without one (a proxy's 502), or no answer at all. {@link #kind()} says how a caller should react.
 */
public final class MatrixException extends RuntimeException {

    /** What the failure means for the caller. */
    public enum Kind {
        /** {@code M_LIMIT_EXCEEDED} (HTTP 429): wait {@link #retryAfter()} (or back off), then retry the same call. */
        RATE_LIMITED,
        /** {@code M_UNKNOWN_TOKEN} or {@code M_MISSING_TOKEN} (HTTP 401): retrying with this token will not help. */
        UNKNOWN_TOKEN,
        /** {@code M_FORBIDDEN} (HTTP 403): not allowed, e.g. not in the room. */
        FORBIDDEN,
        /** {@code M_NOT_FOUND} (HTTP 404): no such room, event, alias or state. */
        NOT_FOUND,
        /** No answer, a timeout, HTTP 5xx or a body that is not JSON: back off and retry. */
        UNAVAILABLE,
        /** Any other refusal (HTTP 4xx such as {@code M_BAD_JSON}): the same call will fail again. */
        REFUSED
    }

    private final Kind kind;
    private final int status;
    private final String errcode;
    private final String error;
    private final boolean softLogout;
    private final Duration retryAfter;

    MatrixException(String call, Kind kind, int status, String errcode, String error, boolean softLogout,
                    Duration retryAfter, Throwable cause) {
        super(message(call, status, errcode, error, retryAfter), cause);
        this.kind = kind;
        this.status = status;
        this.errcode = errcode;
        this.error = error;
        this.softLogout = softLogout;
        this.retryAfter = retryAfter;
    }

    /** The homeserver answered {@code status} with an error body (parsed or not). */
    static MatrixException answered(String call, int status, String errcode, String error, boolean softLogout,
                                    Duration retryAfter) {
        return new MatrixException(call, kindOf(status, errcode), status, errcode, error, softLogout, retryAfter, null);
    }

    /** No usable answer arrived: connection refused or reset, timeout, interrupted, unreadable 200. */
    static MatrixException unavailable(String call, String why, Throwable cause) {
        return new MatrixException(call, Kind.UNAVAILABLE, 0, "", why, false, null, cause);
    }

    // The spec: errors are best expressed by errcode; for M_UNKNOWN (or none) the HTTP status is the better guide.
    static Kind kindOf(int status, String errcode) {
        switch (errcode) {
            case "M_LIMIT_EXCEEDED": return Kind.RATE_LIMITED;
            case "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN": return Kind.UNKNOWN_TOKEN;
            case "M_FORBIDDEN": return Kind.FORBIDDEN;
            case "M_NOT_FOUND": return Kind.NOT_FOUND;
            default: break;
        }
        if (status == 429) return Kind.RATE_LIMITED;
        if (status == 401) return Kind.UNKNOWN_TOKEN;
        if (status == 403) return Kind.FORBIDDEN;
        if (status == 404) return Kind.NOT_FOUND;
        if (status >= 500 || status == 0 || status == 408) return Kind.UNAVAILABLE;
        return Kind.REFUSED;
    }

    /** How the caller should react. */
    public Kind kind() {
        return kind;
    }

    /** True for a rate limit or an outage: the same call may succeed later. */
    public boolean retryable() {
        return kind == Kind.RATE_LIMITED || kind == Kind.UNAVAILABLE;
    }

    /** The HTTP status, or 0 when no answer arrived. */
    public int status() {
        return status;
    }

    /** The Matrix {@code errcode} such as {@code M_FORBIDDEN}, or "" when the answer carried none. */
    public String errcode() {
        return errcode;
    }

    /** The homeserver's human-readable {@code error}, or what went wrong on the way there. */
    public String error() {
        return error;
    }

    /** {@code soft_logout} of an {@code M_UNKNOWN_TOKEN}: true when logging in again keeps the device. */
    public boolean softLogout() {
        return softLogout;
    }

    /** How long the homeserver asked us to wait: the longer of {@code Retry-After} and {@code retry_after_ms}. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    private static String message(String call, int status, String errcode, String error, Duration retryAfter) {
        var message = new StringBuilder(call).append(": ");
        message.append(status == 0 ? "no answer" : "HTTP " + status);
        if (!errcode.isEmpty()) message.append(' ').append(errcode);
        if (error != null && !error.isEmpty()) message.append(" (").append(error).append(')');
        if (retryAfter != null) message.append(", retry after ").append(retryAfter.toMillis()).append(" ms");
        return message.toString();
    }
}
