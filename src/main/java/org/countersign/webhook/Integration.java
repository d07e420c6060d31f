package org.countersign.webhook;

import java.net.URI;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.countersign.domain.EventType;

/**
 * One outbound webhook from the policy's {@code integrations:} list: where events go, which ones, in which
 * format, and the secret that signs them (read from the environment variable {@code secretEnv} at start).
 *
 * @param url          where to POST; may hold a token (Slack incoming webhooks), so it is never logged
 * @param events       the event types to send; empty means all
 * @param secretEnv    the environment variable that held the secret, or null when there is none
 * @param secret       its value, or null; signs every delivery and is PagerDuty's routing key
 * @param confidential true when this endpoint may see the summary, details and changes of confidential requests
 * @param signature    how deliveries are signed (when there is a secret)
 */
public record Integration(String name, URI url, Set<EventType> events, Format format, String secretEnv,
                          Secret secret, boolean confidential, Scheme signature) {
    public Integration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(signature, "signature");
        events = events == null || events.isEmpty() ? EnumSet.allOf(EventType.class) : Set.copyOf(events);
        if (format.needsSecret() && secret == null)
            throw new IllegalArgumentException("integration " + name + " (" + format.wire() + ") needs a secret");
        if (signature == Scheme.STANDARD_WEBHOOKS && (secret == null || StandardWebhooks.key(secret).isEmpty()))
            throw new IllegalArgumentException("integration " + name + " (standard-webhooks) needs a whsec_ secret");
    }

    /** Signed with Countersign's own scheme. */
    public Integration(String name, URI url, Set<EventType> events, Format format, String secretEnv, Secret secret,
                       boolean confidential) {
        this(name, url, events, format, secretEnv, secret, confidential, Scheme.COUNTERSIGN);
    }

    /** How a delivery is signed. */
    public enum Scheme {
        /** {@code Countersign-Signature: v1=<hex>} over timestamp and body ({@link Signature}). */
        COUNTERSIGN("countersign"),
        /** {@code webhook-signature: v1,<base64>} over id, timestamp and body ({@link StandardWebhooks}). */
        STANDARD_WEBHOOKS("standard-webhooks");

        private final String wire;

        Scheme(String wire) { this.wire = wire; }

        public String wire() { return wire; }

        public static Optional<Scheme> parse(String text) {
            var norm = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
            for (var s : values()) if (s.wire.equals(norm)) return Optional.of(s);
            return Optional.empty();
        }
    }

    /** How a delivery's body looks. */
    public enum Format {
        /** {@code {id, type, occurredAt, request{…}}}, signed. */
        COUNTERSIGN("countersign", false),
        /** {@code {"text": "14:02 EMG-12 …"}}: one Server Admin Log line per event (Slack, Mattermost, Rocket.Chat). */
        SLACK_INCOMING("slack-incoming", false),
        /**
         * PagerDuty Events API v2: trigger when a request opens, and a critical alert of its own when it is escalated;
         * both resolved when it ends. The secret is the routing key.
         */
        PAGERDUTY("pagerduty", true),
        /**
         * The same Server Admin Log line, said as a NOTICE in an IRC channel (on the network {@code IRC_SERVER} names)
         * by the IRC bot, not POSTed anywhere: {@link #channel()}.
         */
        IRC("irc", false);

        private final String wire;
        private final boolean needsSecret;

        Format(String wire, boolean needsSecret) {
            this.wire = wire;
            this.needsSecret = needsSecret;
        }

        public String wire() { return wire; }

        /** Whether deliveries cannot be made without a secret. */
        public boolean needsSecret() { return needsSecret; }

        public static Optional<Format> parse(String text) {
            if (text == null) return Optional.empty();
            var norm = text.strip().toLowerCase(Locale.ROOT);
            for (var f : values()) if (f.wire.equals(norm)) return Optional.of(f);
            return Optional.empty();
        }
    }

    /** Whether this endpoint wants events of this type. */
    public boolean wants(EventType type) { return events.contains(type); }

    /** The consumer group on the events stream that feeds this integration alone. */
    public String group() { return "webhook:" + name; }

    /** The URL without its path and query, which may carry a token; an IRC target's channel. */
    public String where() { return format == Format.IRC ? "irc " + channel() : url.getScheme() + "://" + url.getAuthority(); }

    /** The IRC channel of a {@code format: irc} target, or null. */
    public String channel() { return format == Format.IRC ? url.getSchemeSpecificPart() : null; }

    /** A {@code format: irc} target: the channel lines are said in, for these events. */
    public static Integration irc(String name, String channel, Set<EventType> events, boolean confidential) {
        try {
            return new Integration(name, new URI("irc", channel, null), events, Format.IRC, null, null, confidential);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("not a channel: " + channel, e);
        }
    }

    @Override
    public String toString() {
        return "Integration[name=" + name + ", url=" + where() + (format == Format.IRC ? "" : "/…") + ", format=" + format.wire() + ", events="
                + (events.size() == EventType.values().length ? "all" : events.stream().map(EventType::wire).sorted().toList())
                + ", secretEnv=" + secretEnv + ", confidential=" + confidential + ", signature=" + signature.wire() + "]";
    }
}
