package org.countersign.domain;

/** Where a request is in its life. */
public enum State {
    PENDING, APPROVED, DEPLOYING, DEPLOYED, FAILED, ROLLED_BACK, CLOSED, REJECTED, CANCELLED, EXPIRED;

    /** Nothing more can happen to it. */
    public boolean isFinal() {
        return this == CLOSED || this == REJECTED || this == CANCELLED || this == EXPIRED;
    }

    /** The deploy has ended one way or another; only closing remains. */
    public boolean isDeployEnded() { return this == DEPLOYED || this == FAILED || this == ROLLED_BACK; }

    /** Still needs people's attention. */
    public boolean isOpen() { return !isFinal(); }

    /** Every state a request can still move out of: what "open requests" lists. */
    public static java.util.Set<State> open() {
        var open = java.util.EnumSet.noneOf(State.class);
        for (var s : values()) if (s.isOpen()) open.add(s);
        return open;
    }

    public String label() { return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '); }

    /** What a request in this state is, as a sentence says it after the id: {@code EMG-5 failed to deploy}. */
    public String phrase() {
        return switch (this) {
            case PENDING -> "is pending";
            case APPROVED -> "is approved";
            case DEPLOYING -> "is being deployed";
            case DEPLOYED -> "is deployed";
            case FAILED -> "failed to deploy";
            case ROLLED_BACK -> "was rolled back";
            case CLOSED -> "is closed";
            case REJECTED -> "was rejected";
            case CANCELLED -> "was cancelled";
            case EXPIRED -> "has expired";
        };
    }
}
