package org.countersign;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.countersign.github.GithubSettings;
import org.countersign.irc.IrcSettings;
import org.countersign.matrix.MatrixSettings;
import org.countersign.slack.SlackSettings;
import org.countersign.store.RedisConnector;
import org.countersign.app.RateLimiter;
import org.countersign.receipt.SigningKeys;
import org.countersign.web.WebSettings;
import org.countersign.webhook.StandardWebhooks;

/**
 * Every setting, read once from the environment at start. Optional settings are null when not set.
 *
 * @param redisUrl   the Redis server to use, or null to start an embedded one under {@code dataDir}
 * @param policyFile the policy file, or null for the packaged example
 * @param bindHost   the address to listen on, or null to let the web layer decide
 * @param web        the dashboard token and whether the local console is on
 * @param metricsToken the bearer token GET /metrics asks for, or null to leave it open
 * @param privacyCheckInterval how often the security channel and room are checked to be private
 * @param receiptSigningKey   RECEIPT_SIGNING_KEY: the Ed25519 key receipts are signed with (PEM or a file path), or
 *                            null to generate one under {@code dataDir}
 * @param receiptPreviousKeys RECEIPT_PREVIOUS_KEYS: public keys that signed receipts before (PEM or file paths), or null
 * @param github     the GitHub App for deployment protection rules, or null when GitHub is off
 * @param redisOptions REDIS_SENTINEL_PASSWORD and REDIS_MIN_REPLICAS
 * @param irc        the IRC network, channels and bot account, or null when IRC is off
 */
public record Config(int port, String redisUrl, String redisPrefix, Path dataDir, Path policyFile,
                     Duration expirySweepInterval, String bindHost, SlackSettings slack, MatrixSettings matrix,
                     String inboundWebhookSecret, RateLimiter.Limit perUser, RateLimiter.Limit perAddress,
                     String instanceName, String alertmanagerToken, WebSettings web, String metricsToken,
                     Duration privacyCheckInterval, String receiptSigningKey, String receiptPreviousKeys,
                     GithubSettings github, RedisConnector.Options redisOptions, IrcSettings irc) {
    static final int DEFAULT_PORT = 7000;
    static final String DEFAULT_REDIS_PREFIX = "cs:";
    static final Path DEFAULT_DATA_DIR = Path.of("./data");
    static final Duration DEFAULT_EXPIRY_SWEEP_INTERVAL = Duration.ofSeconds(15);
    static final Duration MIN_SWEEP_INTERVAL = Duration.ofSeconds(1);
    static final Duration MAX_SWEEP_INTERVAL = Duration.ofHours(1);
    static final Duration DEFAULT_PRIVACY_CHECK_INTERVAL = Duration.ofMinutes(5);
    static final Duration MAX_PRIVACY_CHECK_INTERVAL = Duration.ofDays(1);
    static final String DEFAULT_PER_USER = "30/1m";
    static final String DEFAULT_PER_ADDRESS = "300/1m";
    static final int MIN_TOKEN_LENGTH = 16;

    /** The user info of a URL, up to the last @ so a password with an unescaped @ is masked whole. */
    private static final Pattern USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)(.*)@");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:_%\\[\\]-]+");

    /** Reads the settings from {@code env} (usually {@code System.getenv()}); an empty value counts as unset. */
    public static Config fromEnv(Map<String, String> env) {
        var problems = new ArrayList<String>();

        int port = DEFAULT_PORT;
        var portText = value(env, "PORT");
        if (portText != null) {
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535)
                problems.add("PORT='" + portText + "': expected a port number from 1 to 65535 (default " + DEFAULT_PORT + ")");
        }

        var redisUrl = value(env, "REDIS_URL");
        if (redisUrl != null) redisUrlProblem(redisUrl).ifPresent(problems::add);

        var redisOptions = redisOptions(env, redisUrl, problems);

        var redisPrefix = env.get("REDIS_PREFIX") == null ? DEFAULT_REDIS_PREFIX : env.get("REDIS_PREFIX");
        if (redisPrefix.isEmpty())
            problems.add("REDIS_PREFIX='': expected a non-empty key prefix such as 'cs:' (unset it for the default 'cs:')");
        else if (redisPrefix.chars().anyMatch(Character::isWhitespace))
            problems.add("REDIS_PREFIX='" + redisPrefix + "': expected a key prefix without spaces, such as 'cs:'");

        var dataDir = path(env, "DATA_DIR", problems);
        var policyFile = path(env, "POLICY_FILE", problems);

        var sweep = DEFAULT_EXPIRY_SWEEP_INTERVAL;
        var sweepText = value(env, "EXPIRY_SWEEP_INTERVAL");
        if (sweepText != null) {
            var d = Durations.parse(sweepText);
            if (d.isEmpty() || d.get().compareTo(MIN_SWEEP_INTERVAL) < 0 || d.get().compareTo(MAX_SWEEP_INTERVAL) > 0)
                problems.add("EXPIRY_SWEEP_INTERVAL='" + sweepText + "': expected " + Durations.EXPECTED
                        + ", from 1s to 1h (default 15s)");
            else sweep = d.get();
        }

        var privacyCheck = DEFAULT_PRIVACY_CHECK_INTERVAL;
        var privacyText = value(env, "PRIVACY_CHECK_INTERVAL");
        if (privacyText != null) {
            var d = Durations.parse(privacyText);
            if (d.isEmpty() || d.get().compareTo(MIN_SWEEP_INTERVAL) < 0
                    || d.get().compareTo(MAX_PRIVACY_CHECK_INTERVAL) > 0)
                problems.add("PRIVACY_CHECK_INTERVAL='" + privacyText + "': expected " + Durations.EXPECTED
                        + ", from 1s to 1d (default 5m)");
            else privacyCheck = d.get();
        }

        var bindHost = value(env, "BIND_HOST");
        if (bindHost != null && !HOST.matcher(bindHost).matches())
            problems.add("BIND_HOST='" + bindHost + "': expected a host name or IP address such as 127.0.0.1 or 0.0.0.0");

        var slack = SlackSettings.fromEnv(name -> value(env, name), Durations::parse, problems);
        var matrix = MatrixSettings.fromEnv(name -> value(env, name), problems);
        var irc = IrcSettings.fromEnv(name -> value(env, name), problems);
        if (redisUrl == null) embeddedRedisProblem(bindHost, slack != null, matrix != null, irc != null)
                .ifPresent(problems::add);
        var inboundSecret = value(env, "INBOUND_WEBHOOK_SECRET");
        if (inboundSecret != null && inboundSecret.length() < 16)
            problems.add("INBOUND_WEBHOOK_SECRET (hidden) is too short: use at least 16 characters, "
                    + "e.g. the output of openssl rand -hex 32");
        else if (inboundSecret != null && inboundSecret.startsWith("whsec_"))
            StandardWebhooks.problemWith(inboundSecret).ifPresent(p -> problems.add("INBOUND_WEBHOOK_SECRET (hidden) " + p));

        var perUser = limit(env, "RATE_LIMIT_PER_USER", "chat-user", DEFAULT_PER_USER, problems);
        var perAddress = limit(env, "RATE_LIMIT_PER_ADDRESS", "http-address", DEFAULT_PER_ADDRESS, problems);

        // A stable name lets a restarted instance finish the side effects it had started (Heroku sets DYNO).
        var instance = value(env, "COUNTERSIGN_INSTANCE") != null ? value(env, "COUNTERSIGN_INSTANCE") : value(env, "DYNO");
        if (instance != null && !instance.matches("[A-Za-z0-9._-]{1,64}"))
            problems.add("COUNTERSIGN_INSTANCE='" + instance + "': expected a name of letters, digits, . _ - (such as web-1)");

        var alertmanagerToken = value(env, "ALERTMANAGER_TOKEN");
        if (alertmanagerToken != null && alertmanagerToken.length() < MIN_TOKEN_LENGTH)
            problems.add("ALERTMANAGER_TOKEN (hidden) is too short: use at least " + MIN_TOKEN_LENGTH
                    + " characters, e.g. the output of openssl rand -hex 32");

        var metricsToken = value(env, "METRICS_TOKEN");
        if (metricsToken != null && metricsToken.length() < MIN_TOKEN_LENGTH)
            problems.add("METRICS_TOKEN (hidden) is too short: use at least " + MIN_TOKEN_LENGTH
                    + " characters, e.g. the output of openssl rand -hex 32");

        var receiptKey = value(env, "RECEIPT_SIGNING_KEY");
        var previousKeys = value(env, "RECEIPT_PREVIOUS_KEYS");
        problems.addAll(SigningKeys.problems(receiptKey, previousKeys));

        var github = GithubSettings.fromEnv(name -> value(env, name), problems);

        var web = WebSettings.fromEnv(env, bindHost != null && HOST.matcher(bindHost).matches() ? bindHost : null,
                Durations::parse, problems);

        if (!problems.isEmpty()) throw new Invalid(problems);
        return new Config(port, redisUrl, redisPrefix, dataDir == null ? DEFAULT_DATA_DIR : dataDir, policyFile,
                sweep, bindHost, slack, matrix, inboundSecret, perUser, perAddress, instance, alertmanagerToken, web, metricsToken,
                privacyCheck, receiptKey, previousKeys, github, redisOptions, irc);
    }

    public Optional<String> redisUrlOpt() { return Optional.ofNullable(redisUrl); }

    public Optional<Path> policyFileOpt() { return Optional.ofNullable(policyFile); }

    public Optional<String> bindHostOpt() { return Optional.ofNullable(bindHost); }

    /** The Slack settings, when Slack is configured. */
    public Optional<SlackSettings> slackOpt() { return Optional.ofNullable(slack); }

    /** The secret that signs deploy-status reports to POST /webhooks/deploy; without it that endpoint is off. */
    public Optional<String> inboundWebhookSecretOpt() { return Optional.ofNullable(inboundWebhookSecret); }

    /** This instance's stable name, when one is set (COUNTERSIGN_INSTANCE, or Heroku's DYNO). */
    public Optional<String> instanceNameOpt() { return Optional.ofNullable(instanceName); }

    /** The bearer token Alertmanager sends to POST /webhooks/alertmanager; without it that endpoint is off. */
    public Optional<String> alertmanagerTokenOpt() { return Optional.ofNullable(alertmanagerToken); }

    /** The GitHub App's settings, when GitHub deployments are configured. */
    public Optional<GithubSettings> githubOpt() { return Optional.ofNullable(github); }

    /** The IRC settings, when IRC is configured. */
    public Optional<IrcSettings> ircOpt() { return Optional.ofNullable(irc); }

    /** The Matrix settings, when Matrix is configured. */
    public Optional<MatrixSettings> matrixOpt() { return Optional.ofNullable(matrix); }

    /** The Redis URL with its password masked, for logs and messages; null when not set. */
    public String redisUrlForLogs() { return redisUrl == null ? null : mask(redisUrl); }

    @Override
    public String toString() {
        return "Config[port=" + port + ", redisUrl=" + redisUrlForLogs() + ", redisPrefix=" + redisPrefix
                + ", dataDir=" + dataDir + ", policyFile=" + policyFile + ", expirySweepInterval=" + expirySweepInterval
                + ", bindHost=" + bindHost + ", slack=" + slack + ", matrix=" + matrix
                + ", inboundWebhookSecret=" + (inboundWebhookSecret == null ? null : "****")
                + ", alertmanagerToken=" + (alertmanagerToken == null ? null : "****") + ", web=" + web
                + ", metricsToken=" + (metricsToken == null ? null : "****")
                + ", privacyCheckInterval=" + privacyCheckInterval
                + ", receiptSigningKey=" + (receiptSigningKey == null ? null : "****")
                + ", receiptPreviousKeys=" + (receiptPreviousKeys == null ? null : "set") + ", github=" + github
                + ", redisOptions=" + redisOptions + ", irc=" + irc + "]";
    }

    /** {@code redis://user:secret@host} as {@code redis://user:****@host}; a URL without a password as it is. */
    static String mask(String url) {
        var m = USER_INFO.matcher(url);
        if (!m.find()) return url;
        var userInfo = m.group(2);
        int colon = userInfo.indexOf(':');
        var masked = colon < 0 ? "****" : userInfo.substring(0, colon) + ":****";
        return m.group(1) + masked + "@" + url.substring(m.end());
    }

    /**
     * The embedded Redis keeps one instance's state on its own disk and is reachable only here: for trying Countersign
     * on one machine, never for a deployment people reach (chat on, or listening beyond loopback).
     */
    private static Optional<String> embeddedRedisProblem(String bindHost, boolean slack, boolean matrix, boolean irc) {
        var why = new ArrayList<String>();
        if (slack) why.add("Slack is on");
        if (matrix) why.add("Matrix is on");
        if (irc) why.add("IRC is on");
        if (bindHost != null && HOST.matcher(bindHost).matches() && !isLoopback(bindHost))
            why.add("BIND_HOST='" + bindHost + "' listens beyond this machine");
        if (why.isEmpty()) return Optional.empty();
        return Optional.of("REDIS_URL is not set, but " + String.join(" and ", why) + ": the embedded Redis is for "
                + "trying Countersign on this machine only; set REDIS_URL to a Redis of your own, with a password "
                + "(redis://:password@host:6379) or TLS (rediss://…)");
    }

    /** A host name or address only this machine can reach (127.0.0.0/8, ::1, localhost); no DNS look-up. */
    static boolean isLoopback(String host) {
        var h = host.strip().toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        return h.equals("localhost") || h.equals("::1") || h.matches("127(\\.[0-9]{1,3}){3}");
    }

    /** REDIS_SENTINEL_PASSWORD (for redis-sentinel:// only) and REDIS_MIN_REPLICAS (0 to 16). */
    private static RedisConnector.Options redisOptions(Map<String, String> env, String redisUrl, List<String> problems) {
        var sentinelPassword = value(env, "REDIS_SENTINEL_PASSWORD");
        if (sentinelPassword != null && (redisUrl == null || !redisUrl.matches("(?i)^rediss?-sentinel://.*")))
            problems.add("REDIS_SENTINEL_PASSWORD is set but REDIS_URL is not a redis-sentinel:// or rediss-sentinel:// URL");
        int minReplicas = 0;
        var replicas = value(env, "REDIS_MIN_REPLICAS");
        if (replicas != null) {
            try {
                minReplicas = Integer.parseInt(replicas.strip());
            } catch (NumberFormatException e) {
                minReplicas = -1;
            }
            if (minReplicas < 0 || minReplicas > 16) {
                problems.add("REDIS_MIN_REPLICAS='" + replicas + "': expected how many Redis replicas must have a change "
                        + "before it is acknowledged, from 0 to 16 (default 0)");
                minReplicas = 0;
            } else if (minReplicas > 0 && redisUrl == null)
                problems.add("REDIS_MIN_REPLICAS=" + minReplicas + " needs a REDIS_URL with replicas: the embedded Redis has none");
        }
        return new RedisConnector.Options(sentinelPassword, minReplicas);
    }

    private static Optional<String> redisUrlProblem(String url) {
        var shown = "REDIS_URL='" + mask(url) + "': ";
        if (url.matches("(?i)^rediss?-(sentinel|cluster)://.*"))
            return RedisConnector.problemWith(url).map(p -> shown + p.replace("REDIS_URL " + RedisConnector.redacted(url) + ": ", ""));
        var expected = "; expected redis://[:password@]host[:port][/db] or rediss://… for TLS, or "
                + "redis-sentinel://host:port,…/master or redis-cluster://host:port,…";
        if (!url.startsWith("redis://") && !url.startsWith("rediss://"))
            return Optional.of(shown + "does not start with redis:// or rediss://" + expected);
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of(shown + "is not a URL (" + e.getReason() + ")" + expected);
        }
        if (uri.getHost() == null) return Optional.of(shown + "has no host, or a port that is not a number" + expected);
        if (uri.getPort() == 0 || uri.getPort() > 65535)
            return Optional.of(shown + "port " + uri.getPort() + " is not from 1 to 65535" + expected);
        var path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/") && !path.matches("/[0-9]{1,5}"))
            return Optional.of(shown + "'" + path + "' is not a database number such as /0" + expected);
        if (uri.getRawUserInfo() != null && !uri.getRawUserInfo().contains(":"))
            return Optional.of(shown + "put a colon before the password (redis://:password@host or redis://user:password@host)");
        return Optional.empty();
    }

    /** {@code 30/1m}: at most 30 actions a minute. */
    private static RateLimiter.Limit limit(Map<String, String> env, String name, String limitName, String fallback,
                                           List<String> problems) {
        var text = value(env, name);
        var shown = text == null ? fallback : text;
        var slash = shown.indexOf('/');
        try {
            var count = Integer.parseInt(shown.substring(0, Math.max(0, slash)).strip());
            var window = Durations.parse(shown.substring(slash + 1).strip());
            if (slash > 0 && count > 0 && window.isPresent() && !window.get().isZero())
                return new RateLimiter.Limit(limitName, count, window.get());
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(name + "='" + shown + "': expected a count and a window such as " + fallback
                + " (at most that many actions per window; default " + fallback + ")");
        return null;
    }

    private static Path path(Map<String, String> env, String name, List<String> problems) {
        var text = value(env, name);
        if (text == null) return null;
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            problems.add(name + "='" + text + "': expected a file system path (" + e.getReason() + ")");
            return null;
        }
    }

    static String value(Map<String, String> env, String name) {
        var v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    /** The environment cannot be used; {@link #problems()} lists every reason, one per variable. */
    public static final class Invalid extends RuntimeException {
        private final List<String> problems;

        public Invalid(List<String> problems) {
            super("invalid configuration:\n  - " + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() { return problems; }
    }
}
