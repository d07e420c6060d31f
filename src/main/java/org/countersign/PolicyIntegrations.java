package org.countersign;

import static org.countersign.PolicyProblems.show;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.countersign.domain.EventType;
import org.countersign.webhook.Integration;
import org.countersign.webhook.Secret;
import org.countersign.webhook.StandardWebhooks;

/** Reads the {@code integrations} section of a policy file: the webhooks to send events to, with their secrets. */
final class PolicyIntegrations {
    private static final List<String> INTEGRATION_KEYS =
            List.of("name", "url", "url-env", "events", "format", "secret-env", "confidential", "signature", "channel");
    private static final Pattern IRC_CHANNEL = Pattern.compile("[#&][^\\s,\\x07:]{1,49}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";
    static final int MIN_SECRET = 16;

    private final PolicyProblems problems;
    private final Map<String, String> env;

    /** {@code env} holds the secrets and URLs named by secret-env and url-env, or is null to check only the file. */
    PolicyIntegrations(PolicyProblems problems, Map<String, String> env) {
        this.problems = problems;
        this.env = env;
    }

    /** The webhooks without a problem; none when {@code env} is null. */
    List<Integration> read(JsonNode node) {
        var integrations = new ArrayList<Integration>();
        if (node == null || node.isNull()) return integrations;
        if (!node.isArray()) {
            problems.add("integrations", "must be a list of webhooks, each with name, url and secret-env, not " + show(node));
            return integrations;
        }
        var names = new HashSet<String>();
        for (int i = 0; i < node.size(); i++) {
            var where = "integrations[" + i + "]";
            var w = node.get(i);
            if (!w.isObject()) {
                problems.add(where, "must be a map with name, url, events, format, secret-env and confidential, not " + show(w));
                continue;
            }
            int before = problems.count();
            problems.unknownKeys(w, where + ".", INTEGRATION_KEYS);
            var name = w.has("name") ? problems.text(w.get("name"), where + ".name") : null;
            if (!w.has("name")) problems.add(where + ".name", "missing: give the webhook a name such as pipeline");
            else if (name != null && !PolicyProblems.isKey(name))
                problems.add(where + ".name", "'" + name + "' is not a name: use lower-case letters, digits, dashes and "
                        + "underscores, at most " + PolicyProblems.KEY_MAX);
            else if (name != null && !names.add(name)) problems.add(where + ".name", "'" + name + "' is used twice");
            var format = format(w, where);
            if (format == Integration.Format.IRC) {
                var irc = irc(w, where, name);
                if (env != null && irc != null && problems.count() == before) integrations.add(irc);
                continue;
            }
            if (w.has("channel"))
                problems.add(where + ".channel", "is for format: irc (a channel on IRC_SERVER's network), not "
                        + format.wire());
            var url = url(w, where, format);
            var events = events(w.get("events"), where + ".events");
            var secretEnv = secretEnv(w, where, format, name);
            boolean confidential = problems.flag(w.get("confidential"), where + ".confidential");
            if (confidential && url != null && !url.getScheme().equalsIgnoreCase("https") && !Config.isLoopback(url.getHost()))
                problems.add(where + (w.has("url-env") ? ".url-env" : ".url"), (w.has("url-env") ? "the URL in it"
                        : "'" + url + "'") + " is http: with confidential: true it carries what confidential requests say, "
                        + "so use https (plain http only to this machine: 127.0.0.1, ::1, localhost)");
            var signature = signature(w, where, format);
            Secret secret = null;
            if (env != null && secretEnv != null) {
                var value = env.get(secretEnv);
                if (value == null || value.isBlank())
                    problems.add(where + ".secret-env", secretEnv + " is not set in the environment (set it to the "
                            + (format == Integration.Format.PAGERDUTY ? "PagerDuty routing key" : "secret shared with "
                            + (name == null ? "this webhook" : name)) + ")");
                else if (value.strip().length() < MIN_SECRET)
                    problems.add(where + ".secret-env", secretEnv + " is too short: use at least " + MIN_SECRET
                            + " characters, e.g. the output of openssl rand -hex 32");
                else if (signature == Integration.Scheme.STANDARD_WEBHOOKS
                        && StandardWebhooks.problemWith(value.strip()).isPresent())
                    problems.add(where + ".secret-env", secretEnv + " " + StandardWebhooks.problemWith(value.strip()).get()
                            + " (signature: standard-webhooks)");
                else secret = Secret.of(value.strip());
            }
            if (env != null && problems.count() == before)
                integrations.add(new Integration(name, url, events, format, secretEnv, secret, confidential, signature));
        }
        return integrations;
    }

    /** {@code format: irc}: lines said in {@code channel} by the IRC bot, with no URL and no secret. */
    private Integration irc(JsonNode w, String where, String name) {
        for (var key : List.of("url", "url-env", "secret-env", "signature"))
            if (w.has(key)) problems.add(where + "." + key, "is not for format: irc, whose lines the IRC bot says in its "
                    + "channel: give channel only");
        var events = events(w.get("events"), where + ".events");
        boolean confidential = problems.flag(w.get("confidential"), where + ".confidential");
        if (!w.has("channel")) {
            problems.add(where + ".channel", "missing: name the IRC channel for the lines, such as \"#operations-log\" "
                    + "(quote it: # starts a YAML comment)");
            return null;
        }
        var channel = problems.text(w.get("channel"), where + ".channel");
        if (channel == null) return null;
        if (!IRC_CHANNEL.matcher(channel).matches()) {
            problems.add(where + ".channel", "'" + channel + "' is not an IRC channel such as \"#operations-log\"");
            return null;
        }
        return name == null ? null : Integration.irc(name, channel, events, confidential);
    }

    private Integration.Format format(JsonNode w, String where) {
        var format = Integration.Format.COUNTERSIGN;
        if (w.has("format")) {
            var f = problems.text(w.get("format"), where + ".format");
            var parsed = Integration.Format.parse(f);
            if (f != null && parsed.isEmpty()) problems.add(where + ".format", "unknown format '" + f + "' (known: "
                    + String.join(", ", Arrays.stream(Integration.Format.values()).map(Integration.Format::wire).toList()) + ")");
            format = parsed.orElse(format);
        }
        return format;
    }

    /** How deliveries are signed: countersign (the default) or standard-webhooks, for the countersign format only. */
    private Integration.Scheme signature(JsonNode w, String where, Integration.Format format) {
        if (!w.has("signature")) return Integration.Scheme.COUNTERSIGN;
        var text = problems.text(w.get("signature"), where + ".signature");
        var parsed = Integration.Scheme.parse(text);
        if (text != null && parsed.isEmpty()) problems.add(where + ".signature", "unknown signature '" + text
                + "' (known: " + String.join(", ", Arrays.stream(Integration.Scheme.values()).map(Integration.Scheme::wire)
                .toList()) + ")");
        var scheme = parsed.orElse(Integration.Scheme.COUNTERSIGN);
        if (scheme == Integration.Scheme.STANDARD_WEBHOOKS && format != Integration.Format.COUNTERSIGN)
            problems.add(where + ".signature", "standard-webhooks signs the countersign format only, not " + format.wire());
        return scheme;
    }

    /** The name of the environment variable that holds the webhook's secret; a Slack incoming webhook needs none. */
    private String secretEnv(JsonNode w, String where, Integration.Format format, String name) {
        if (w.has("secret-env")) {
            var secretEnv = problems.text(w.get("secret-env"), where + ".secret-env");
            if (secretEnv != null && !ENV_NAME.matcher(secretEnv).matches()) {
                problems.add(where + ".secret-env", "'" + secretEnv + "' is not an environment variable name "
                        + "(give the variable's name, such as PIPELINE_WEBHOOK_SECRET, never the secret itself)");
                return null;
            }
            return secretEnv;
        }
        if (format != Integration.Format.SLACK_INCOMING) {
            problems.add(where + ".secret-env", "missing: name the environment variable that holds "
                    + (format == Integration.Format.PAGERDUTY ? "the PagerDuty routing key" : "the signing secret")
                    + ", such as " + envName(name) + "_SECRET");
        }
        return null;
    }

    /** The webhook's URL, from url or from the environment variable url-env (when the URL holds a token). */
    private URI url(JsonNode w, String where, Integration.Format format) {
        if (w.has("url") && w.has("url-env")) {
            problems.add(where + ".url", "give url or url-env, not both");
            return null;
        }
        String text;
        String at;
        boolean fromEnv = w.has("url-env");
        if (fromEnv) {
            at = where + ".url-env";
            var name = problems.text(w.get("url-env"), at);
            if (name == null) return null;
            if (!ENV_NAME.matcher(name).matches()) {
                problems.add(at, "'" + name + "' is not an environment variable name");
                return null;
            }
            if (env == null) return null;
            text = env.get(name) == null || env.get(name).isBlank() ? null : env.get(name).strip();
            if (text == null) {
                problems.add(at, name + " is not set in the environment (set it to the webhook's URL)");
                return null;
            }
        } else if (w.has("url")) {
            at = where + ".url";
            text = problems.text(w.get("url"), at);
            if (text == null) return null;
        } else if (format == Integration.Format.PAGERDUTY) {
            return URI.create(PAGERDUTY_URL);
        } else {
            problems.add(where + ".url", "missing: give the URL to POST to (or url-env, the environment variable that holds it)");
            return null;
        }
        // A URL from the environment may carry a token (Slack incoming webhooks): never repeat it.
        var shown = fromEnv ? "the URL in it" : "'" + text + "'";
        try {
            var uri = new URI(text);
            var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) return uri;
        } catch (URISyntaxException e) {
            // reported below
        }
        problems.add(at, shown + " is not an http or https URL such as https://ci.example.org/hooks/countersign");
        return null;
    }

    private Set<EventType> events(JsonNode node, String where) {
        var all = EnumSet.allOf(EventType.class);
        if (node == null || node.isNull()) return all;
        if (node.isTextual() && node.textValue().strip().equals("all")) return all;
        var known = "known: all, or " + String.join(", ", all.stream().map(EventType::wire).toList());
        if (!node.isArray()) {
            problems.add(where, "must be all or a list such as [request.opened, request.approved], not " + show(node));
            return all;
        }
        if (node.isEmpty()) problems.add(where, "is empty: list the events to send, or leave events out for all");
        var events = EnumSet.noneOf(EventType.class);
        for (int i = 0; i < node.size(); i++) {
            var name = problems.text(node.get(i), where + "[" + i + "]");
            if (name == null) continue;
            if (name.equals("all")) {
                events.addAll(all);
                continue;
            }
            try {
                events.add(EventType.fromWire(name));
            } catch (IllegalArgumentException e) {
                problems.add(where + "[" + i + "]", "unknown event '" + name + "' (" + known + ")");
            }
        }
        return events.isEmpty() ? all : events;
    }

    private static String envName(String name) {
        return name == null ? "WEBHOOK" : name.toUpperCase(Locale.ROOT).replace('-', '_');
    }
}
