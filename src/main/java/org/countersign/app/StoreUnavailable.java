package org.countersign.app;

/** The state store cannot be reached or keeps losing races; nothing was recorded. */
public final class StoreUnavailable extends RuntimeException {
    public StoreUnavailable(String message, Throwable cause) { super(message, cause); }
}
