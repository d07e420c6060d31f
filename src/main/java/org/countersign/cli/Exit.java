package org.countersign.cli;

/**
 * The exit codes of {@code countersign}, one meaning each, so a pipeline can branch on them. They are part of the
 * interface: never renumber one.
 */
public final class Exit {
    /** The request was approved (it may since have been deployed or closed); the report was recorded; the policy is valid. */
    public static final int OK = 0;
    /** The request was rejected or cancelled; the report was refused by the request's state; the policy has problems. */
    public static final int REFUSED = 1;
    /** The request expired before it was approved, or its approval went stale before the deploy started. */
    public static final int EXPIRED = 2;
    /** The request is still undecided at the end of {@code --timeout}. */
    public static final int UNDECIDED = 3;
    /** A usage error (a bad option, an unknown request) or the server refused the credentials. */
    public static final int USAGE = 4;
    /** The server could not be reached (or kept failing) for longer than {@code --unreachable-after}. */
    public static final int UNREACHABLE = 5;

    private Exit() {}
}
