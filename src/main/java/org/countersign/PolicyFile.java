package org.countersign;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.countersign.domain.Actor;
import org.countersign.domain.EventType;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;
import org.countersign.domain.Policy.InvalidPolicy;
import org.countersign.domain.Reason;
import org.countersign.domain.Team;
import org.countersign.webhook.Integration;
import org.countersign.webhook.Secret;

/**
 * Reads the policy file (see {@code infra/policy.example.yml} for every key). A file that cannot be used
 * gives one {@link InvalidPolicy} listing every problem, each as {@code file: where: what}.
 */
public final class PolicyFile {
    /** The example policy, packaged at the root of the jar; the default when POLICY_FILE is not set. */
    static final String DEFAULT_RESOURCE = "/policy.example.yml";
    static final int DEFAULT_APPROVALS_PER_TEAM = 1;
    static final Duration DEFAULT_EXPIRE_AFTER = Duration.ofMinutes(60);

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final List<String> TOP_KEYS = List.of("teams", "reasons", "approvals-per-team", "expire-after", "people",
            "integrations");
    private static final List<String> INTEGRATION_KEYS =
            List.of("name", "url", "url-env", "events", "format", "secret-env", "confidential");
    private static final List<String> TEAM_KEYS =
            List.of("label", "slack-users", "slack-usergroup", "matrix-users", "console-users", "approvals");
    private static final List<String> REASON_KEYS = List.of("label", "teams", "confidential");
    private static final List<String> ACCOUNT_KINDS = List.of("slack", "matrix", "console");

    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]*");
    private static final Pattern SLACK_USER = Pattern.compile("[UW][A-Z0-9]{2,}");
    private static final Pattern SLACK_GROUP = Pattern.compile("S[A-Z0-9]{2,}");
    private static final Pattern MATRIX_USER = Pattern.compile("@[^:\\s]+:[^\\s]+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String PAGERDUTY_URL = "https://events.pagerduty.com/v2/enqueue";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /** How SnakeYAML quotes the place of an error: the position, the line, and a caret under the column. */
    private static final Pattern YAML_MARK =
            Pattern.compile("\\s*in '[^']*', line (\\d+), column (\\d+):\\n[^\\n]*\\n[ \\t]*\\^");

    private PolicyFile() {}

    /** The policy and the outbound webhooks of one policy file. */
    public record Loaded(Policy policy, List<Integration> integrations) {
        public Loaded {
            integrations = List.copyOf(integrations);
        }
    }

    /** Reads and checks the policy at {@code path}; the integrations' secrets are not looked at. */
    public static Policy load(Path path) {
        return parse(text(path), path.toString(), null).policy();
    }

    /** The packaged example policy ({@code infra/policy.example.yml}). */
    public static Policy loadDefault() {
        return parse(defaultText(), "classpath:" + DEFAULT_RESOURCE, null).policy();
    }

    /** Reads the policy at {@code path} and its integrations, each secret read from the process environment. */
    public static Loaded read(Path path) { return read(path, System.getenv()); }

    /** Reads the policy at {@code path} and its integrations, each secret read from {@code env}. */
    public static Loaded read(Path path, Map<String, String> env) {
        return parse(text(path), path.toString(), env);
    }

    /** The packaged example policy and its integrations (none), secrets read from {@code env}. */
    public static Loaded readDefault(Map<String, String> env) {
        return parse(defaultText(), "classpath:" + DEFAULT_RESOURCE, env);
    }

    private static String text(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw invalid(path + ": no such file (set POLICY_FILE to an existing policy file, "
                    + "or leave it empty to use the packaged example)");
        } catch (CharacterCodingException e) {
            throw invalid(path + ": is not UTF-8 text");
        } catch (IOException e) {
            throw invalid(path + ": cannot be read: " + e);
        }
        return text;
    }

    private static String defaultText() {
        var source = "classpath:" + DEFAULT_RESOURCE;
        try (InputStream in = PolicyFile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) throw invalid(source + ": not found; the jar was built without infra/policy.example.yml");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw invalid(source + ": cannot be read: " + e);
        }
    }

    /** Parses policy YAML; {@code source} names the file in problems. */
    static Policy parse(String yaml, String source) {
        return parse(yaml, source, null).policy();
    }

    /**
     * Parses policy YAML and its integrations; {@code env} holds their secrets, or is null to check only the
     * file (and then no integration is returned).
     */
    static Loaded parse(String yaml, String source, Map<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JacksonException e) {
            throw invalid(source + ": " + yamlError(e));
        }
        return new Reader(source, env).read(root);
    }

    private static InvalidPolicy invalid(String problem) { return new InvalidPolicy(List.of(problem)); }

    /** SnakeYAML's message with its quoted snippets turned into "(line 3, column 5)", on one line. */
    private static String yamlError(JacksonException e) {
        var message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (YAML_MARK.matcher(message).find()) {
            var text = YAML_MARK.matcher(message).replaceAll(" (line $1, column $2)");
            return "not valid YAML: " + text.strip().replaceAll("\\s*\\n\\s*", "; ");
        }
        var at = e.getLocation() == null ? "" : "line " + e.getLocation().getLineNr() + ", column "
                + e.getLocation().getColumnNr() + ": ";
        return at + "not valid YAML: " + message.strip().replaceAll("\\s*\\n\\s*", "; ");
    }

    /** Collects every problem while reading; a part that cannot be read is replaced so the rest can be checked. */
    private static final class Reader {
        private final String source;
        private final List<String> problems = new ArrayList<>();
        private final Map<String, String> env;

        Reader(String source, Map<String, String> env) {
            this.source = source;
            this.env = env;
        }

        Loaded read(JsonNode root) {
            if (root == null || root.isMissingNode() || root.isNull()) {
                problems.add(source + ": is empty; it needs at least teams and reasons (see infra/policy.example.yml)");
                throw new InvalidPolicy(problems);
            }
            if (!root.isObject()) {
                problems.add(source + ": must be a map with teams and reasons, not " + show(root));
                throw new InvalidPolicy(problems);
            }
            unknownKeys(root, "", TOP_KEYS);

            int perTeam = DEFAULT_APPROVALS_PER_TEAM;
            if (root.has("approvals-per-team")) {
                var n = integer(root.get("approvals-per-team"), "approvals-per-team");
                if (n != null && n < 1) problem("approvals-per-team", "must be at least 1, not " + n);
                else if (n != null) perTeam = n;
            }
            var expireAfter = DEFAULT_EXPIRE_AFTER;
            if (root.has("expire-after")) {
                var d = duration(root.get("expire-after"), "expire-after");
                if (d != null) expireAfter = d;
            }
            boolean teamsReadable = root.path("teams").isObject();
            int quorum = perTeam;
            var teams = teams(root.get("teams"), quorum);
            var reasons = reasons(root.get("reasons"));
            var people = people(root.get("people"));
            var integrations = integrations(root.get("integrations"));

            // Stand-ins for what could not be read, so Policy.of does not report the same mistake again.
            if (!teamsReadable) {
                reasons.values().forEach(r -> r.teams().forEach(t -> teams.putIfAbsent(t, standIn(t, quorum))));
                if (teams.isEmpty()) teams.put("stand-in", standIn("stand-in", quorum));
            }
            if (!root.path("reasons").isObject() && reasons.isEmpty()) {
                var team = teams.keySet().iterator().next();
                reasons.put("stand-in", new Reason("stand-in", "stand-in", List.of(team), false));
            }
            try {
                var policy = Policy.of(teams, reasons, expireAfter, people);
                if (problems.isEmpty()) return new Loaded(policy, integrations);
            } catch (InvalidPolicy e) {
                e.problems().forEach(p -> problems.add(source + ": " + p));
            }
            throw new InvalidPolicy(problems);
        }

        private Map<String, Team> teams(JsonNode node, int perTeam) {
            var teams = new LinkedHashMap<String, Team>();
            if (node == null || node.isNull()) {
                problem("teams", "missing: list the teams whose members approve (see infra/policy.example.yml)");
                return teams;
            }
            if (!node.isObject()) {
                problem("teams", "must be a map of team key to team, not " + show(node));
                return teams;
            }
            node.properties().forEach(e -> {
                var key = e.getKey();
                var where = "teams." + key;
                key(key, where);
                var t = e.getValue();
                if (!t.isObject()) {
                    problem(where, "must be a map with label and slack-users, matrix-users or console-users, not " + show(t));
                    teams.put(key, standIn(key, perTeam));
                    return;
                }
                unknownKeys(t, where + ".", TEAM_KEYS);
                var members = new LinkedHashSet<Actor>();
                members.addAll(accounts(t.get("slack-users"), where + ".slack-users", Platform.SLACK));
                members.addAll(accounts(t.get("matrix-users"), where + ".matrix-users", Platform.MATRIX));
                members.addAll(accounts(t.get("console-users"), where + ".console-users", Platform.CONSOLE));
                String group = null;
                if (t.has("slack-usergroup")) {
                    group = text(t.get("slack-usergroup"), where + ".slack-usergroup");
                    if (group != null && !SLACK_GROUP.matcher(group).matches()) {
                        problem(where + ".slack-usergroup", "'" + group + "' is not a Slack user group id (S…)");
                        group = null;
                    }
                }
                int quorum = perTeam;
                if (t.has("approvals")) {
                    var n = integer(t.get("approvals"), where + ".approvals");
                    if (n != null) quorum = n;
                }
                var label = t.has("label") ? text(t.get("label"), where + ".label") : null;
                teams.put(key, new Team(key, label == null && t.has("label") ? key : label, members, group, quorum));
            });
            return teams;
        }

        private Map<String, Reason> reasons(JsonNode node) {
            var reasons = new LinkedHashMap<String, Reason>();
            if (node == null || node.isNull()) {
                problem("reasons", "missing: list the reasons for an emergency and the teams each needs");
                return reasons;
            }
            if (!node.isObject()) {
                problem("reasons", "must be a map of reason key to reason, not " + show(node));
                return reasons;
            }
            node.properties().forEach(e -> {
                var key = e.getKey();
                var where = "reasons." + key;
                key(key, where);
                var r = e.getValue();
                if (!r.isObject()) {
                    problem(where, "must be a map with label and teams, not " + show(r));
                    return;
                }
                unknownKeys(r, where + ".", REASON_KEYS);
                var label = r.has("label") ? text(r.get("label"), where + ".label") : null;
                var teams = r.has("teams") ? list(r.get("teams"), where + ".teams") : List.<String>of();
                boolean confidential = false;
                var c = r.get("confidential");
                if (c != null && !c.isNull()) {
                    if (c.isBoolean()) confidential = c.booleanValue();
                    else problem(where + ".confidential", "must be true or false, not " + show(c));
                }
                reasons.put(key, new Reason(key, label == null && r.has("label") ? key : label, teams, confidential));
            });
            return reasons;
        }

        private Map<String, Set<Actor>> people(JsonNode node) {
            var people = new LinkedHashMap<String, Set<Actor>>();
            if (node == null || node.isNull()) return people;
            if (!node.isObject()) {
                problem("people", "must be a map of person to their accounts, not " + show(node));
                return people;
            }
            node.properties().forEach(e -> {
                var person = e.getKey();
                var where = "people." + person;
                if (!NAME.matcher(person).matches())
                    problem(where, "a person's name is letters, digits, dots, dashes and underscores");
                var p = e.getValue();
                if (!p.isObject()) {
                    problem(where, "must be a map such as { slack: U0SRE1, matrix: \"@sre1:example.org\", console: alice }, not "
                            + show(p));
                    return;
                }
                unknownKeys(p, where + ".", ACCOUNT_KINDS);
                var accounts = new LinkedHashSet<Actor>();
                accounts.addAll(accounts(p.get("slack"), where + ".slack", Platform.SLACK));
                accounts.addAll(accounts(p.get("matrix"), where + ".matrix", Platform.MATRIX));
                accounts.addAll(accounts(p.get("console"), where + ".console", Platform.CONSOLE));
                people.put(person, accounts);
            });
            return people;
        }

        private List<Integration> integrations(JsonNode node) {
            var integrations = new ArrayList<Integration>();
            if (node == null || node.isNull()) return integrations;
            if (!node.isArray()) {
                problem("integrations", "must be a list of webhooks, each with name, url and secret-env, not " + show(node));
                return integrations;
            }
            var names = new HashSet<String>();
            for (int i = 0; i < node.size(); i++) {
                var where = "integrations[" + i + "]";
                var w = node.get(i);
                if (!w.isObject()) {
                    problem(where, "must be a map with name, url, events, format, secret-env and confidential, not " + show(w));
                    continue;
                }
                int before = problems.size();
                unknownKeys(w, where + ".", INTEGRATION_KEYS);
                var name = w.has("name") ? text(w.get("name"), where + ".name") : null;
                if (!w.has("name")) problem(where + ".name", "missing: give the webhook a name such as pipeline");
                else if (name != null && !KEY.matcher(name).matches())
                    problem(where + ".name", "'" + name + "' is not a name: use lower-case letters, digits, dashes and underscores");
                else if (name != null && !names.add(name)) problem(where + ".name", "'" + name + "' is used twice");
                var format = Integration.Format.COUNTERSIGN;
                if (w.has("format")) {
                    var f = text(w.get("format"), where + ".format");
                    var parsed = Integration.Format.parse(f);
                    if (f != null && parsed.isEmpty()) problem(where + ".format", "unknown format '" + f + "' (known: "
                            + String.join(", ", java.util.Arrays.stream(Integration.Format.values()).map(Integration.Format::wire).toList()) + ")");
                    format = parsed.orElse(format);
                }
                var url = url(w, where, format);
                var events = events(w.get("events"), where + ".events");
                String secretEnv = null;
                if (w.has("secret-env")) {
                    secretEnv = text(w.get("secret-env"), where + ".secret-env");
                    if (secretEnv != null && !ENV_NAME.matcher(secretEnv).matches()) {
                        problem(where + ".secret-env", "'" + secretEnv + "' is not an environment variable name "
                                + "(give the variable's name, such as PIPELINE_WEBHOOK_SECRET, never the secret itself)");
                        secretEnv = null;
                    }
                } else if (format != Integration.Format.SLACK_INCOMING) {
                    problem(where + ".secret-env", "missing: name the environment variable that holds "
                            + (format == Integration.Format.PAGERDUTY ? "the PagerDuty routing key" : "the signing secret")
                            + ", such as " + envName(name) + "_SECRET");
                }
                boolean confidential = false;
                var c = w.get("confidential");
                if (c != null && !c.isNull()) {
                    if (c.isBoolean()) confidential = c.booleanValue();
                    else problem(where + ".confidential", "must be true or false, not " + show(c));
                }
                Secret secret = null;
                if (env != null && secretEnv != null) {
                    var value = env.get(secretEnv);
                    if (value == null || value.isBlank())
                        problem(where + ".secret-env", secretEnv + " is not set in the environment (set it to the "
                                + (format == Integration.Format.PAGERDUTY ? "PagerDuty routing key" : "secret shared with "
                                + (name == null ? "this webhook" : name)) + ")");
                    else secret = Secret.of(value.strip());
                }
                if (env != null && problems.size() == before)
                    integrations.add(new Integration(name, url, events, format, secretEnv, secret, confidential));
            }
            return integrations;
        }

        /** The webhook's URL, from url or from the environment variable url-env (when the URL holds a token). */
        private URI url(JsonNode w, String where, Integration.Format format) {
            if (w.has("url") && w.has("url-env")) {
                problem(where + ".url", "give url or url-env, not both");
                return null;
            }
            String text;
            String at;
            boolean fromEnv = w.has("url-env");
            if (fromEnv) {
                at = where + ".url-env";
                var name = text(w.get("url-env"), at);
                if (name == null) return null;
                if (!ENV_NAME.matcher(name).matches()) {
                    problem(at, "'" + name + "' is not an environment variable name");
                    return null;
                }
                if (env == null) return null;
                text = env.get(name) == null || env.get(name).isBlank() ? null : env.get(name).strip();
                if (text == null) {
                    problem(at, name + " is not set in the environment (set it to the webhook's URL)");
                    return null;
                }
            } else if (w.has("url")) {
                at = where + ".url";
                text = text(w.get("url"), at);
                if (text == null) return null;
            } else if (format == Integration.Format.PAGERDUTY) {
                return URI.create(PAGERDUTY_URL);
            } else {
                problem(where + ".url", "missing: give the URL to POST to (or url-env, the environment variable that holds it)");
                return null;
            }
            // A URL from the environment may carry a token (Slack incoming webhooks): never repeat it.
            var shown = fromEnv ? "the URL in it" : "'" + text + "'";
            try {
                var uri = new URI(text);
                var scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
                if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) return uri;
            } catch (URISyntaxException e) {
                // reported below
            }
            problem(at, shown + " is not an http or https URL such as https://ci.example.org/hooks/countersign");
            return null;
        }

        private Set<EventType> events(JsonNode node, String where) {
            var all = EnumSet.allOf(EventType.class);
            if (node == null || node.isNull()) return all;
            if (node.isTextual() && node.textValue().strip().equals("all")) return all;
            var known = "known: all, or " + String.join(", ", all.stream().map(EventType::wire).toList());
            if (!node.isArray()) {
                problem(where, "must be all or a list such as [request.opened, request.approved], not " + show(node));
                return all;
            }
            if (node.isEmpty()) problem(where, "is empty: list the events to send, or leave events out for all");
            var events = EnumSet.noneOf(EventType.class);
            for (int i = 0; i < node.size(); i++) {
                var name = text(node.get(i), where + "[" + i + "]");
                if (name == null) continue;
                if (name.equals("all")) {
                    events.addAll(all);
                    continue;
                }
                try {
                    events.add(EventType.fromWire(name));
                } catch (IllegalArgumentException e) {
                    problem(where + "[" + i + "]", "unknown event '" + name + "' (" + known + ")");
                }
            }
            return events.isEmpty() ? all : events;
        }

        private static String envName(String name) {
            return name == null ? "WEBHOOK" : name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        }

        /** A list of account ids (one id alone is accepted under people). */
        private List<Actor> accounts(JsonNode node, String where, Platform platform) {
            if (node == null || node.isNull()) return List.of();
            var single = where.startsWith("people.") && node.isValueNode();
            var ids = single ? Optional.ofNullable(text(node, where)).map(List::of).orElse(List.of()) : list(node, where);
            var actors = new ArrayList<Actor>();
            for (int i = 0; i < ids.size(); i++) {
                var id = ids.get(i);
                var at = single ? where : where + "[" + i + "]";
                var form = switch (platform) {
                    case SLACK -> SLACK_USER;
                    case MATRIX -> MATRIX_USER;
                    default -> NAME;
                };
                if (form.matcher(id).matches()) actors.add(new Actor(platform, id));
                else problem(at, "'" + id + "' is not " + switch (platform) {
                    case SLACK -> "a Slack user id (U… or W…: the member id in the user's Slack profile)";
                    case MATRIX -> "a Matrix user id such as \"@sre1:example.org\" (quote it: @ starts no YAML value)";
                    default -> "a console user name (letters, digits, dots, dashes and underscores)";
                });
            }
            return actors;
        }

        private List<String> list(JsonNode node, String where) {
            if (!node.isArray()) {
                problem(where, "must be a list such as [a, b], not " + show(node));
                return List.of();
            }
            var result = new ArrayList<String>();
            for (int i = 0; i < node.size(); i++) {
                var s = text(node.get(i), where + "[" + i + "]");
                if (s != null) result.add(s);
            }
            return result;
        }

        private String text(JsonNode node, String where) {
            if (node.isTextual() && !node.textValue().isBlank()) return node.textValue().strip();
            problem(where, node.isTextual() ? "must not be empty" : "must be text, not " + show(node)
                    + (node.isValueNode() ? " (put it in quotes)" : ""));
            return null;
        }

        private Integer integer(JsonNode node, String where) {
            if (node.isIntegralNumber() && node.canConvertToInt()) return node.intValue();
            problem(where, "must be a number, not " + show(node));
            return null;
        }

        private Duration duration(JsonNode node, String where) {
            var d = node.isTextual() ? Durations.parse(node.textValue()) : Optional.<Duration>empty();
            if (d.isPresent()) return d.get();
            problem(where, "must be " + Durations.EXPECTED + ", not " + show(node));
            return null;
        }

        private void key(String key, String where) {
            if (!KEY.matcher(key).matches())
                problem(where, "a key is lower-case letters, digits, dashes and underscores");
        }

        private void unknownKeys(JsonNode map, String prefix, List<String> known) {
            map.fieldNames().forEachRemaining(k -> {
                if (!known.contains(k)) problem(prefix + k, "unknown key (known: " + String.join(", ", known) + ")");
            });
        }

        private void problem(String where, String what) { problems.add(source + ": " + where + ": " + what); }

        private static String show(JsonNode node) {
            if (node.isTextual()) return "'" + node.textValue() + "'";
            if (node.isArray()) return "a list";
            if (node.isObject()) return "a map";
            if (node.isNull()) return "nothing";
            return node.asText();
        }

        private static Team standIn(String key, int quorum) {
            return new Team(key, key, Set.of(new Actor(Platform.SYSTEM, "stand-in")), null, Math.max(quorum, 1));
        }
    }
}
