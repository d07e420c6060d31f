package org.countersign.domain;

/** What happened to a request; {@link #wire()} is the name webhooks and the events stream use. */
public enum EventType {
    REQUEST_OPENED("request.opened"),
    APPROVAL_ADDED("approval.added"),
    APPROVAL_WITHDRAWN("approval.withdrawn"),
    APPROVALS_CLEARED("approvals.cleared"),
    REQUEST_EDITED("request.edited"),
    REQUEST_APPROVED("request.approved"),
    REQUEST_REJECTED("request.rejected"),
    REQUEST_CANCELLED("request.cancelled"),
    REQUEST_EXPIRED("request.expired"),
    DEPLOY_STARTED("deploy.started"),
    DEPLOY_FINISHED("deploy.finished"),
    REQUEST_CLOSED("request.closed"),
    REQUEST_BREAK_GLASS("request.break_glass"),
    REQUEST_REVIEWED("request.reviewed"),
    REVIEW_OVERDUE("review.overdue"),
    /** The thread was told which teams a pending request still needs. */
    REQUEST_REMINDED("request.reminded"),
    /** A request pending too long: the on-call is paged ({@code pagerduty} integrations). */
    REQUEST_ESCALATED("request.escalated"),
    /** The requester was told the request (or its approvals) will soon expire. */
    REQUEST_EXPIRY_WARNED("request.expiry_warned");

    private final String wire;

    EventType(String wire) { this.wire = wire; }

    public String wire() { return wire; }

    public static EventType fromWire(String wire) {
        for (var t : values()) if (t.wire.equals(wire)) return t;
        throw new IllegalArgumentException("unknown event type: " + wire);
    }
}
