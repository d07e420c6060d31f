package org.countersign.app;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * People signed in to the web, kept server-side so a session expires on its own and can be revoked: the browser holds
 * only a random id. Also the sign-ins in progress (state, nonce and PKCE verifier), each taken once.
 */
public interface SessionStore {
    /**
     * One person signed in.
     *
     * @param person  the policy person they act as
     * @param subject the provider's subject ({@code sub})
     * @param email   the verified email they signed in with, or null
     */
    record Session(String person, String subject, String email, Instant created, Instant expires) {}

    /** Keeps a session under {@code id} until it expires. */
    void save(String id, Session session);

    /** The session under {@code id}, if it exists and has not expired or been revoked. */
    Optional<Session> find(String id, Instant now);

    /** Ends one session; nothing happens when it is gone already. */
    void revoke(String id);

    /** Ends every session of {@code person}; the number ended. */
    int revokeAll(String person);

    /** Keeps a sign-in in progress for at most {@code ttl}. */
    void hold(String state, String value, Duration ttl);

    /** The sign-in in progress under {@code state}, removed as it is read so it serves once. */
    Optional<String> take(String state);
}
