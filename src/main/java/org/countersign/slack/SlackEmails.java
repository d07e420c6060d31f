package org.countersign.slack;

import com.slack.api.methods.MethodsClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.countersign.app.Emails;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Slack account's confirmed email, from {@code users.info} (scope {@code users:read.email}), cached: it ties the
 * account to the person the policy (or another platform) knows by that address. An address Slack has not confirmed,
 * or a deleted or bot user, vouches for nobody.
 */
public final class SlackEmails implements Emails {
    private static final Logger log = LoggerFactory.getLogger(SlackEmails.class);
    static final Duration KEEP = Duration.ofHours(1);
    static final Duration KEEP_NONE = Duration.ofMinutes(5);

    private final MethodsClient slack;
    private final Clock clock;
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    private record Known(Optional<String> email, Instant until) {}

    public SlackEmails(MethodsClient slack, Clock clock) {
        this.slack = slack;
        this.clock = clock;
    }

    @Override
    public Optional<String> verifiedEmail(Actor actor) {
        if (actor.platform() != Platform.SLACK) return Optional.empty();
        var cached = known.get(actor.id());
        if (cached != null && clock.instant().isBefore(cached.until())) return cached.email();
        Optional<String> email;
        try {
            var response = slack.usersInfo(r -> r.user(actor.id()));
            if (!response.isOk()) throw new IllegalStateException(response.getError());
            var user = response.getUser();
            email = user == null || user.isDeleted() || user.isBot() || !user.isEmailConfirmed()
                    || user.getProfile() == null ? Optional.empty()
                    : Optional.ofNullable(user.getProfile().getEmail()).filter(e -> !e.isBlank());
        } catch (Exception e) {
            log.warn("Slack could not say who {} is ({}); the account acts as itself for now", actor, e.getMessage());
            return cached == null ? Optional.empty() : cached.email();
        }
        known.put(actor.id(), new Known(email, clock.instant().plus(email.isPresent() ? KEEP : KEEP_NONE)));
        return email;
    }
}
