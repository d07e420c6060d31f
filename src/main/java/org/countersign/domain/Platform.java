package org.countersign.domain;

/**
 * Where an actor's identity was verified. {@code EMAIL} is not a place one acts from: it is a verified address that
 * ties accounts on different platforms to one person (a Slack profile's confirmed email, a Matrix id on a server the
 * policy maps to a mail domain). {@code OIDC} is not one either: it is the subject an OpenID Connect provider vouches
 * for, which the policy links to a person. {@code WEB} is a person signed in to the dashboard (its id is the person's
 * name in the policy); {@code API} is a script or pipeline with a named API token (its id is the token's name).
 * {@code IRC} is a services account (never a nick), as the network's services vouch for it.
 */
public enum Platform {
    SLACK, MATRIX, CONSOLE, WEBHOOK, SYSTEM, EMAIL, WEB, OIDC, API, IRC;

    public String key() { return name().toLowerCase(java.util.Locale.ROOT); }
}
