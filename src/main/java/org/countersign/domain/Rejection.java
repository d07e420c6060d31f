package org.countersign.domain;

import java.time.Instant;

/** A team member's no, with the reason the requester needs. */
public record Rejection(Actor by, String reason, Instant at) {}
