package org.countersign.app;

/**
 * The state store cannot be reached or keeps losing races. Mostly nothing was recorded; when the store may have
 * taken the change before it failed (a connection lost mid-command, too few replicas confirmed), it says so, and
 * people are told to look before they try again.
 */
public final class StoreUnavailable extends RuntimeException {
    private final boolean mayBeRecorded;

    /** Nothing was recorded. */
    public StoreUnavailable(String message, Throwable cause) { this(message, cause, false); }

    public StoreUnavailable(String message, Throwable cause, boolean mayBeRecorded) {
        super(message, cause);
        this.mayBeRecorded = mayBeRecorded;
    }

    /** Whether the change may be in the store although it was not acknowledged. */
    public boolean mayBeRecorded() { return mayBeRecorded; }
}
