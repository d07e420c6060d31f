package org.countersign.chat;

/** Where something was said, and so who reads the answer. */
public record Where(Venue venue, Kind kind) {
    public enum Kind {
        /** A room or channel everyone coordinating deploys reads. */
        ROOM,
        /** The private security room or channel. */
        SECURITY_ROOM,
        /** Only the person who asked sees the answer. */
        ALONE
    }

    /** A room whose readers may not see a confidential request's text. */
    boolean isOpenRoom() { return kind == Kind.ROOM; }
}
