package org.countersign.chat;

/**
 * A chat room where alert groups are shown: one message per group, posted once and then changed in place. Calls
 * are synchronous and throw when the chat platform did not take them.
 */
public interface AlertSurface {
    /** A short name for keys, logs and answers, such as {@code slack}. */
    String name();

    /** Posts the group; returns where the message is, as text this surface can read back in {@link #update}. */
    String post(AlertNotice notice);

    /** Changes the message at {@code where} to show the group as it is now; {@link Gone} when it is not there. */
    void update(String where, AlertNotice notice);

    /** The message was deleted: the group is posted again. */
    final class Gone extends RuntimeException {
        public Gone(String message) {
            super(message);
        }
    }
}
