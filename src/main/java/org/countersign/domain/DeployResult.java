package org.countersign.domain;

/** How a deploy ended. */
public enum DeployResult {
    SUCCEEDED(State.DEPLOYED), FAILED(State.FAILED), ROLLED_BACK(State.ROLLED_BACK);

    private final State state;

    DeployResult(State state) { this.state = state; }

    public State state() { return state; }

    /** Reads {@code succeeded}, {@code rolled_back} or {@code rolled-back}, any case. */
    public static java.util.Optional<DeployResult> parse(String text) {
        if (text == null) return java.util.Optional.empty();
        var norm = text.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (var r : values()) if (r.name().equals(norm)) return java.util.Optional.of(r);
        return java.util.Optional.empty();
    }
}
