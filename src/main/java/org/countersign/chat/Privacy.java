package org.countersign.chat;

import java.util.Optional;

/**
 * Whether a platform's private security channel or room was last found private, as a {@link PrivacyWatch} checked it.
 * Reading it never asks the platform, so it is safe on the ack path.
 */
@FunctionalInterface
public interface Privacy {
    /** No check at all: a platform without a security room, or a test that does not care. */
    Privacy ASSUMED = Optional::empty;

    /** Empty while confidential text may go to the security room; else why not, as a clause a person reads. */
    Optional<String> problem();

    default boolean isPrivate() { return problem().isEmpty(); }
}
