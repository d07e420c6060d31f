package org.countersign;

import static org.countersign.PolicyProblems.show;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;
import org.countersign.domain.Policy.InvalidPolicy;
import org.countersign.domain.EventType;
import org.countersign.domain.Reason;
import org.countersign.domain.Reminders;
import org.countersign.domain.Team;
import org.countersign.webhook.Integration;

/**
 * Reads a policy file's YAML tree: its teams, reasons and people into a {@link Policy}, its integrations
 * through {@link PolicyIntegrations}. A part that cannot be read is replaced so the rest can be checked.
 */
final class PolicyReader {
    static final int DEFAULT_APPROVALS_PER_TEAM = 1;
    static final Duration DEFAULT_EXPIRE_AFTER = Duration.ofMinutes(60);

    private static final List<String> TOP_KEYS = List.of("teams", "reasons", "approvals-per-team", "expire-after",
            "approval-valid-for", "retain-for", "remind-after", "escalate-after", "warn-before-expiry", "people", "integrations",
            "identity", "github", "windows", "freezes", "may-open", "open-limit", "break-glass", "review");
    private static final List<String> TEAM_KEYS =
            List.of("label", "slack-users", "slack-usergroup", "matrix-users", "console-users", "irc-accounts", "approvals");
    private static final List<String> REASON_KEYS = List.of("label", "teams", "confidential", "informed", "approvals");
    private static final List<String> ACCOUNT_KINDS = List.of("slack", "matrix", "console", "irc", "email", "oidc");
    private static final List<String> IDENTITY_KEYS = List.of("matrix-mail-domains");

    private static final Pattern SLACK_USER = Pattern.compile("[UW][A-Z0-9]{2,}");
    private static final Pattern SLACK_GROUP = Pattern.compile("S[A-Z0-9]{2,}");
    private static final Pattern MATRIX_USER = Pattern.compile("@[^:\\s]+:[^\\s]+");
    /** A services account as IRC networks allow account names (nick characters). */
    private static final Pattern IRC_ACCOUNT = Pattern.compile("[A-Za-z0-9\\[\\]\\\\`_^{|}~][A-Za-z0-9\\[\\]\\\\`_^{|}~.-]{0,63}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /** An OpenID Connect subject: the provider's stable id for a person, at most 255 printable characters. */
    private static final Pattern SUBJECT = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?");

    private final PolicyProblems problems;
    private final Map<String, String> env;

    /** {@code source} names the file in problems; {@code env} is as {@link PolicyIntegrations} takes it. */
    PolicyReader(String source, Map<String, String> env) {
        this.problems = new PolicyProblems(source);
        this.env = env;
    }

    PolicyFile.Loaded read(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            problems.addToFile("is empty; it needs at least teams and reasons (see infra/policy.example.yml)");
            throw problems.invalid();
        }
        if (!root.isObject()) {
            problems.addToFile("must be a map with teams and reasons, not " + show(root));
            throw problems.invalid();
        }
        problems.unknownKeys(root, "", TOP_KEYS);

        int perTeam = DEFAULT_APPROVALS_PER_TEAM;
        if (root.has("approvals-per-team")) {
            var n = problems.integer(root.get("approvals-per-team"), "approvals-per-team");
            if (n != null && n < 1) problems.add("approvals-per-team", "must be at least 1, not " + n);
            else if (n != null) perTeam = n;
        }
        var expireAfter = duration(root, "expire-after", DEFAULT_EXPIRE_AFTER);
        var approvalValidFor = duration(root, "approval-valid-for", Policy.DEFAULT_APPROVAL_VALID_FOR);
        boolean teamsReadable = root.path("teams").isObject();
        int quorum = perTeam;
        var teams = teams(root.get("teams"), quorum);
        var reasons = reasons(root.get("reasons"));
        var people = people(root.get("people"));
        var mailDomains = mailDomains(root.get("identity"));
        var integrations = new PolicyIntegrations(problems, env).read(root.get("integrations"));
        var access = new PolicyAccess(problems);
        var github = access.github(root.get("github"), reasons);
        var windows = new PolicyWindows(problems).read(root.get("windows"), root.get("freezes"));
        var opening = access.opening(root.get("may-open"), root.get("open-limit"));
        var breakGlass = access.breakGlass(root.get("break-glass"));
        var review = access.review(root.get("review"));

        // Stand-ins for what could not be read, so Policy.of does not report the same mistake again.
        if (!teamsReadable) {
            reasons.values().forEach(r -> r.teams().forEach(t -> teams.putIfAbsent(t, standIn(t, quorum))));
            if (teams.isEmpty()) teams.put("stand-in", standIn("stand-in", quorum));
        }
        if (!root.path("reasons").isObject() && reasons.isEmpty()) {
            var team = teams.keySet().iterator().next();
            reasons.put("stand-in", new Reason("stand-in", "stand-in", List.of(team), false));
        }
        var reminders = new Reminders(duration(root, "remind-after", null), duration(root, "escalate-after", null),
                duration(root, "warn-before-expiry", null));
        if (reminders.escalateAfter() != null && integrations.stream().noneMatch(i ->
                i.format() == Integration.Format.PAGERDUTY && i.wants(EventType.REQUEST_ESCALATED)))
            problems.add("escalate-after", "pages the on-call through a pagerduty integration, and none is listed "
                    + "(with request.escalated among its events)");
        try {
            var policy = Policy.of(teams, reasons, expireAfter, approvalValidFor, people).withMatrixMailDomains(mailDomains)
                    .withWindows(windows).withOpening(opening)
                    .withAftercare(breakGlass, review)
                    .withReminders(reminders)
                    .withRetention(duration(root, "retain-for", Policy.DEFAULT_RETAIN_FOR));
            if (problems.none()) return new PolicyFile.Loaded(policy, integrations, github);
        } catch (InvalidPolicy e) {
            e.problems().forEach(problems::addToFile);
        }
        throw problems.invalid();
    }


    /** The duration under {@code key}, or {@code fallback} when it is left out or cannot be read (a problem then). */
    private Duration duration(JsonNode root, String key, Duration fallback) {
        if (!root.has(key)) return fallback;
        var d = problems.duration(root.get(key), key);
        return d == null ? fallback : d;
    }



    private Map<String, Team> teams(JsonNode node, int perTeam) {
        var teams = new LinkedHashMap<String, Team>();
        if (!problems.isMap(node, "teams", "list the teams whose members approve (see infra/policy.example.yml)",
                "team key to team")) return teams;
        node.properties().forEach(e -> {
            var key = e.getKey();
            var where = "teams." + key;
            problems.key(key, where);
            var t = e.getValue();
            if (!t.isObject()) {
                problems.add(where, "must be a map with label and slack-users, matrix-users, console-users or irc-accounts, not " + show(t));
                teams.put(key, standIn(key, perTeam));
                return;
            }
            problems.unknownKeys(t, where + ".", TEAM_KEYS);
            var members = accounts(t, where, "slack-users", "matrix-users", "console-users");
            members.addAll(accounts(t.get("irc-accounts"), where + ".irc-accounts", Platform.IRC));
            String group = null;
            if (t.has("slack-usergroup")) {
                group = problems.text(t.get("slack-usergroup"), where + ".slack-usergroup");
                if (group != null && !SLACK_GROUP.matcher(group).matches()) {
                    problems.add(where + ".slack-usergroup", "'" + group + "' is not a Slack user group id (S…)");
                    group = null;
                }
            }
            int quorum = perTeam;
            if (t.has("approvals")) {
                var n = problems.integer(t.get("approvals"), where + ".approvals");
                if (n != null) quorum = n;
            }
            teams.put(key, new Team(key, label(t, key, where), members, group, quorum));
        });
        return teams;
    }

    private Map<String, Reason> reasons(JsonNode node) {
        var reasons = new LinkedHashMap<String, Reason>();
        if (!problems.isMap(node, "reasons", "list the reasons for an emergency and the teams each needs",
                "reason key to reason")) return reasons;
        node.properties().forEach(e -> {
            var key = e.getKey();
            var where = "reasons." + key;
            problems.key(key, where);
            var r = e.getValue();
            if (!r.isObject()) {
                problems.add(where, "must be a map with label and teams, not " + show(r));
                return;
            }
            problems.unknownKeys(r, where + ".", REASON_KEYS);
            var label = label(r, key, where);
            var teams = r.has("teams") ? problems.list(r.get("teams"), where + ".teams") : List.<String>of();
            boolean confidential = problems.flag(r.get("confidential"), where + ".confidential");
            var informed = r.has("informed") ? problems.list(r.get("informed"), where + ".informed") : List.<String>of();
            var approvals = new LinkedHashMap<String, Integer>();
            if (r.has("approvals") && problems.isMap(r.get("approvals"), where + ".approvals", null, "team key to approvals"))
                r.get("approvals").properties().forEach(a -> {
                    var n = problems.integer(a.getValue(), where + ".approvals." + a.getKey());
                    if (n != null) approvals.put(a.getKey(), n);
                });
            reasons.put(key, new Reason(key, label, teams, confidential, informed, approvals));
        });
        return reasons;
    }


    /** The label of a team or reason: null when left out (the domain reports it), the key when it cannot be read. */
    private String label(JsonNode map, String key, String where) {
        if (!map.has("label")) return null;
        var label = problems.text(map.get("label"), where + ".label");
        return label == null ? key : label;
    }

    private Map<String, Set<Actor>> people(JsonNode node) {
        var people = new LinkedHashMap<String, Set<Actor>>();
        if (!problems.isMap(node, "people", null, "person to their accounts")) return people;
        node.properties().forEach(e -> {
            var person = e.getKey();
            var where = "people." + person;
            if (!NAME.matcher(person).matches())
                problems.add(where, "a person's name is letters, digits, dots, dashes and underscores");
            var p = e.getValue();
            if (!p.isObject()) {
                problems.add(where, "must be a map such as { slack: U0SRE1, matrix: \"@sre1:example.org\", console: alice }, not "
                        + show(p));
                return;
            }
            problems.unknownKeys(p, where + ".", ACCOUNT_KINDS);
            var accounts = accounts(p, where, "slack", "matrix", "console");
            accounts.addAll(accounts(p.get("irc"), where + ".irc", Platform.IRC));
            accounts.addAll(accounts(p.get("email"), where + ".email", Platform.EMAIL));
            accounts.addAll(accounts(p.get("oidc"), where + ".oidc", Platform.OIDC));
            people.put(person, accounts);
        });
        return people;
    }

    /** The Slack, Matrix and console accounts of a team or person, each kind under its own key of {@code map}. */
    private Set<Actor> accounts(JsonNode map, String where, String slack, String matrix, String console) {
        var accounts = new LinkedHashSet<Actor>();
        accounts.addAll(accounts(map.get(slack), where + "." + slack, Platform.SLACK));
        accounts.addAll(accounts(map.get(matrix), where + "." + matrix, Platform.MATRIX));
        accounts.addAll(accounts(map.get(console), where + "." + console, Platform.CONSOLE));
        return accounts;
    }

    /** A list of account ids (one id alone is accepted under people). */
    private List<Actor> accounts(JsonNode node, String where, Platform platform) {
        if (node == null || node.isNull()) return List.of();
        var single = where.startsWith("people.") && node.isValueNode();
        var ids = single ? Optional.ofNullable(problems.text(node, where)).map(List::of).orElse(List.of())
                : problems.list(node, where);
        var actors = new ArrayList<Actor>();
        for (int i = 0; i < ids.size(); i++) {
            var id = ids.get(i);
            var at = single ? where : where + "[" + i + "]";
            var form = switch (platform) {
                case SLACK -> SLACK_USER;
                case MATRIX -> MATRIX_USER;
                case EMAIL -> EMAIL;
                case OIDC -> SUBJECT;
                case IRC -> IRC_ACCOUNT;
                default -> NAME;
            };
            if (form.matcher(id).matches())
                actors.add(platform == Platform.EMAIL ? Policy.email(id) : platform == Platform.IRC ? Actor.irc(id)
                        : new Actor(platform, id));
            else problems.add(at, "'" + id + "' is not " + switch (platform) {
                case SLACK -> "a Slack user id (U… or W…: the member id in the user's Slack profile)";
                case MATRIX -> "a Matrix user id such as \"@sre1:example.org\" (quote it: @ starts no YAML value)";
                case EMAIL -> "a mail address such as alice@example.org";
                case OIDC -> "an OpenID Connect subject (the sub claim your provider gives this person; quote it)";
                case IRC -> "an IRC services account (the account name NickServ knows, not a nick that may change)";
                default -> "a console user name (letters, digits, dots, dashes and underscores)";
            });
        }
        return actors;
    }

    /** {@code identity.matrix-mail-domains}: Matrix server -> the mail domain its user ids stand for. */
    private Map<String, String> mailDomains(JsonNode node) {
        var domains = new LinkedHashMap<String, String>();
        if (node == null || node.isNull()) return domains;
        if (!problems.isMap(node, "identity", null, "how accounts are tied to people")) return domains;
        problems.unknownKeys(node, "identity.", IDENTITY_KEYS);
        var map = node.get("matrix-mail-domains");
        if (map == null || map.isNull()) return domains;
        if (!map.isObject()) {
            problems.add("identity.matrix-mail-domains", "must be a map of Matrix server to mail domain, such as "
                    + "{ matrix.example.org: example.org }, not " + show(map));
            return domains;
        }
        map.properties().forEach(e -> {
            var where = "identity.matrix-mail-domains." + e.getKey();
            var domain = problems.text(e.getValue(), where);
            if (!DOMAIN.matcher(e.getKey()).matches()) problems.add(where, "'" + e.getKey() + "' is not a server name");
            else if (domain == null || !DOMAIN.matcher(domain).matches())
                problems.add(where, "must be a mail domain such as example.org");
            else domains.put(e.getKey(), domain);
        });
        return domains;
    }


    private static Team standIn(String key, int quorum) {
        return new Team(key, key, Set.of(new Actor(Platform.SYSTEM, "stand-in")), null, Math.max(quorum, 1));
    }
}
