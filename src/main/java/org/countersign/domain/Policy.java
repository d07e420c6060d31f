package org.countersign.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who must sign for what: the teams, the reasons and the teams each reason needs, how long a
 * request may wait, how long its approvals stay good, and which accounts on different platforms are the same person.
 */
public final class Policy {
    /** How long approvals stay good for starting the deploy when the policy does not say. */
    public static final Duration DEFAULT_APPROVAL_VALID_FOR = Duration.ofHours(2);
    /** How long a finished request stays among the live ones when the policy does not say ({@code retain-for}). */
    public static final Duration DEFAULT_RETAIN_FOR = Duration.ofDays(400);

    private final Map<String, Team> teams;
    private final Map<String, Reason> reasons;
    private final Duration expireAfter;
    private final Duration approvalValidFor;
    private final Map<Actor, String> personOf;
    private final Map<String, String> matrixMailDomains;
    private final String sha256;
    private final Windows windows;
    private final Opening opening;
    private final BreakGlassRule breakGlass;
    private final ReviewRule review;
    private final Reminders reminders;
    private final Duration retainFor;

    private Policy(Map<String, Team> teams, Map<String, Reason> reasons, Duration expireAfter,
                   Duration approvalValidFor, Map<Actor, String> personOf, Map<String, String> matrixMailDomains,
                   String sha256, Windows windows, Opening opening, BreakGlassRule breakGlass, ReviewRule review,
                   Reminders reminders, Duration retainFor) {
        this.reminders = reminders;
        this.retainFor = retainFor;
        this.breakGlass = breakGlass;
        this.review = review;
        this.teams = Collections.unmodifiableMap(new LinkedHashMap<>(teams));
        this.reasons = Collections.unmodifiableMap(new LinkedHashMap<>(reasons));
        this.expireAfter = expireAfter;
        this.approvalValidFor = approvalValidFor;
        this.personOf = Map.copyOf(personOf);
        this.matrixMailDomains = Map.copyOf(matrixMailDomains);
        this.sha256 = sha256;
        this.windows = windows;
        this.opening = opening;
    }

    /**
     * A checked policy, or {@link InvalidPolicy} listing every problem at once.
     *
     * @param people optional links of one person's accounts across platforms (may be empty)
     */
    public static Policy of(Map<String, Team> teams, Map<String, Reason> reasons, Duration expireAfter,
                            Map<String, Set<Actor>> people) {
        return of(teams, reasons, expireAfter, DEFAULT_APPROVAL_VALID_FOR, people);
    }

    /** As {@link #of(Map, Map, Duration, Map)}, with how long approvals stay good for starting the deploy. */
    public static Policy of(Map<String, Team> teams, Map<String, Reason> reasons, Duration expireAfter,
                            Duration approvalValidFor, Map<String, Set<Actor>> people) {
        var problems = new ArrayList<String>();
        if (teams.isEmpty()) problems.add("no teams are defined");
        teams.values().forEach(t -> problems.addAll(t.problems()));
        if (reasons.isEmpty()) problems.add("no reasons are defined");
        for (var reason : reasons.values()) {
            if (reason.label() == null || reason.label().isBlank()) problems.add("reason " + reason.key() + " has no label");
            if (reason.teams().isEmpty()) problems.add("reason " + reason.key() + " requires no team");
            if (new LinkedHashSet<>(reason.teams()).size() != reason.teams().size())
                problems.add("reason " + reason.key() + " lists a team twice");
            for (var team : reason.teams())
                if (!teams.containsKey(team))
                    problems.add("reason " + reason.key() + " requires unknown team " + team
                            + " (known: " + String.join(", ", teams.keySet()) + ")");
            problems.addAll(reason.problems(teams));
        }
        if (expireAfter == null || expireAfter.isNegative() || expireAfter.isZero())
            problems.add("expire-after must be a positive duration such as 60m, not " + expireAfter);
        if (approvalValidFor == null || approvalValidFor.isNegative() || approvalValidFor.isZero())
            problems.add("approval-valid-for must be a positive duration such as 2h, not " + approvalValidFor);
        var seen = new HashMap<Actor, String>();
        people.forEach((person, accounts) -> accounts.forEach(a -> {
            var other = seen.put(a, person);
            if (other != null) problems.add("account " + a + " is linked to both " + other + " and " + person);
        }));
        if (!problems.isEmpty()) throw new InvalidPolicy(problems);
        return new Policy(teams, reasons, expireAfter, approvalValidFor, seen, Map.of(), null, Windows.none(),
                Opening.everyone(), BreakGlassRule.NONE, ReviewRule.NONE, Reminders.NONE, DEFAULT_RETAIN_FOR);
    }

    /**
     * This policy with Matrix servers whose user ids are mail addresses: {@code @alice:matrix.example.org} is
     * {@code alice@example.org} when {@code matrix.example.org} maps to {@code example.org}.
     */
    public Policy withMatrixMailDomains(Map<String, String> serverToDomain) {
        var lower = new HashMap<String, String>();
        serverToDomain.forEach((server, domain) -> lower.put(server.toLowerCase(java.util.Locale.ROOT),
                domain.toLowerCase(java.util.Locale.ROOT)));
        return new Policy(teams, reasons, expireAfter, approvalValidFor, personOf, lower, sha256, windows, opening,
                breakGlass, review, reminders, retainFor);
    }

    /** This policy, known by the SHA-256 (lowercase hex) of the file it was read from. */
    public Policy withSha256(String sha256) {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}"))
            throw new IllegalArgumentException("not a lowercase hex SHA-256: " + sha256);
        return new Policy(teams, reasons, expireAfter, approvalValidFor, personOf, matrixMailDomains, sha256, windows,
                opening, breakGlass, review, reminders, retainFor);
    }

    /** This policy with deployment windows and freezes, or {@link InvalidPolicy} saying what is wrong with them. */
    public Policy withWindows(Windows windows) {
        var problems = windows.problems(teams);
        if (!problems.isEmpty()) throw new InvalidPolicy(problems);
        return new Policy(teams, reasons, expireAfter, approvalValidFor, personOf, matrixMailDomains, sha256, windows,
                opening, breakGlass, review, reminders, retainFor);
    }

    /** This policy with who may open requests and how often, or {@link InvalidPolicy} naming unknown teams or people. */
    public Policy withOpening(Opening opening) {
        var problems = new ArrayList<String>();
        for (var t : opening.teams())
            if (!teams.containsKey(t))
                problems.add("may-open.teams names unknown team " + t + " (known: " + String.join(", ", teams.keySet()) + ")");
        var persons = new LinkedHashSet<>(personOf.values());
        for (var p : opening.people())
            if (!persons.contains(p))
                problems.add("may-open.people names " + p + ", who is not under people: (known: "
                        + String.join(", ", persons) + ")");
        if (opening.limited() && (opening.per().isNegative() || opening.per().isZero()))
            problems.add("open-limit needs a positive window such as 5/1h");
        if (!problems.isEmpty()) throw new InvalidPolicy(problems);
        return new Policy(teams, reasons, expireAfter, approvalValidFor, personOf, matrixMailDomains, sha256, windows,
                opening, breakGlass, review, reminders, retainFor);
    }

    /** The deployment windows and freezes (none unless the policy names them). */
    public Windows windows() { return windows; }

    /** Who may open requests, and how many each person may open in a while. */
    public Opening opening() { return opening; }

    /**
     * How many people of {@code team} must approve a request of {@code reason}: the reason's own count for it, else
     * the team's (which is {@code approvals-per-team} unless the team says otherwise).
     */
    public int quorum(String reason, String team) {
        var own = reason(reason).map(r -> r.approvals().get(team));
        return own.orElseGet(() -> team(team).map(Team::quorum).orElse(1));
    }

    /** The teams a reason only informs, less those a request of it must approve anyway. */
    public List<String> informed(String reason, List<String> required) {
        return reason(reason).map(r -> r.informed().stream().filter(t -> !required.contains(t)).toList())
                .orElse(List.of());
    }

    /**
     * This policy with its {@code break-glass:} and {@code review:} rules, or {@link InvalidPolicy} listing every
     * problem with them (an unknown person, reason or team).
     */
    public Policy withAftercare(BreakGlassRule breakGlass, ReviewRule review) {
        var problems = new ArrayList<String>();
        problems.addAll(breakGlass.problems(new LinkedHashSet<>(personOf.values()), reasons.keySet()));
        problems.addAll(review.problems(teams.keySet(), reasons.keySet()));
        if (!problems.isEmpty()) throw new InvalidPolicy(problems);
        return new Policy(teams, reasons, expireAfter, approvalValidFor, personOf, matrixMailDomains, sha256, windows,
                opening, breakGlass, review, reminders, retainFor);
    }

    /** Who may let a request proceed without its quorum, for which reasons; {@link BreakGlassRule#NONE} when nobody. */
    public BreakGlassRule breakGlass() { return breakGlass; }

    /** Who reviews requests after their deploy, which must be reviewed, and when a review is overdue. */
    public ReviewRule review() { return review; }


    /** This policy, chasing waiting requests as {@code reminders} says; {@link InvalidPolicy} when they cannot work. */
    public Policy withReminders(Reminders reminders) {
        var problems = reminders.problems(expireAfter);
        if (!problems.isEmpty()) throw new InvalidPolicy(problems);
        return new Policy(teams, reasons, expireAfter, approvalValidFor, personOf, matrixMailDomains, sha256, windows,
                opening, breakGlass, review, reminders, retainFor);
    }

    /** This policy, keeping finished requests live for {@code retainFor} before they are archived. */
    public Policy withRetention(Duration retainFor) {
        if (retainFor.compareTo(Duration.ofDays(1)) < 0)
            throw new InvalidPolicy(List.of("retain-for: must be at least 1d, not " + retainFor));
        return new Policy(teams, reasons, expireAfter, approvalValidFor, personOf, matrixMailDomains, sha256, windows,
                opening, breakGlass, review, reminders, retainFor);
    }

    /** How long a finished request stays among the live ones before it moves to the archive. */
    public Duration retainFor() { return retainFor; }

    /** When waiting requests are reminded, escalated and their requesters warned ({@link Reminders#NONE}: never). */
    public Reminders reminders() { return reminders; }

    /** The SHA-256 (lowercase hex) of the policy file's bytes; null for a policy built in code. */
    public String sha256() { return sha256; }

    public Map<String, Team> teams() { return teams; }

    public Map<String, Reason> reasons() { return reasons; }

    public Duration expireAfter() { return expireAfter; }

    /** How long an approved request may wait for its deploy to start before its approvals expire. */
    public Duration approvalValidFor() { return approvalValidFor; }

    public Optional<Team> team(String key) { return Optional.ofNullable(teams.get(key)); }

    public Optional<Reason> reason(String key) { return Optional.ofNullable(key == null ? null : reasons.get(key)); }

    /** The label people know a team by, or its key when the policy no longer has it. */
    public String teamLabel(String key) { return team(key).map(Team::label).orElse(key); }

    /** The label people know a reason by, or its key when the policy no longer has it. */
    public String reasonLabel(String key) { return reason(key).map(Reason::label).orElse(key); }

    /** Team labels as a sentence names them when all are meant: {@code SRE, Security and Release Engineering}. */
    public String allOf(java.util.Collection<String> teams) { return series(teams, " and "); }

    /** Team labels as a sentence names them when any one will do: {@code SRE, Security or Release Engineering}. */
    public String anyOf(java.util.Collection<String> teams) { return series(teams, " or "); }

    private String series(java.util.Collection<String> teams, String last) {
        var names = teams.stream().map(this::teamLabel).toList();
        if (names.size() <= 1) return String.join("", names);
        return String.join(", ", names.subList(0, names.size() - 1)) + last + names.get(names.size() - 1);
    }

    /** The person behind an account: their policy link, or the account itself. */
    public String personOf(Actor actor) { return personOf.getOrDefault(actor, actor.toString()); }

    /** The person the policy links this account to, if it does. */
    public Optional<String> linkedPerson(Actor actor) { return Optional.ofNullable(personOf.get(actor)); }

    /** The mail address a Matrix id stands for, when its server is mapped to a mail domain. */
    public Optional<Actor> mailOf(Actor actor) {
        if (actor.platform() != Platform.MATRIX) return Optional.empty();
        var id = actor.id();
        int colon = id.indexOf(':');
        if (!id.startsWith("@") || colon < 2) return Optional.empty();
        var domain = matrixMailDomains.get(id.substring(colon + 1).toLowerCase(java.util.Locale.ROOT));
        return domain == null ? Optional.empty() : Optional.of(email(id.substring(1, colon) + "@" + domain));
    }

    /** The subject an OpenID Connect provider vouches for, as the account the policy's {@code oidc:} links. */
    public static Actor oidcSubject(String subject) { return new Actor(Platform.OIDC, subject); }

    /** A verified mail address as the account that ties a person's accounts together. */
    public static Actor email(String address) {
        return new Actor(Platform.EMAIL, address.strip().toLowerCase(java.util.Locale.ROOT));
    }

    /** Every account the policy links to {@code person}. */
    public Set<Actor> accountsOfPerson(String person) {
        var accounts = new LinkedHashSet<Actor>();
        personOf.forEach((a, p) -> { if (p.equals(person)) accounts.add(a); });
        return accounts;
    }

    /** The teams whose policy lists {@code actor} or any account linked to {@code person}. */
    public Set<String> listedTeamsOf(String person, Actor actor) {
        var accounts = accountsOfPerson(person);
        accounts.add(actor);
        var result = new LinkedHashSet<String>();
        teams.values().forEach(t -> { if (isMember(t, accounts)) result.add(t.key()); });
        return result;
    }

    /**
     * Team members who cannot be told apart from someone else on another enabled platform: listed on one, with no
     * account and no mail address linked for another. With several platforms on, such a person could open a request
     * from an unlisted account and approve it from the listed one; each line says whom to link.
     */
    public List<String> unlinkedMembers(Set<Platform> enabled) {
        var lines = new ArrayList<String>();
        var seen = new LinkedHashSet<String>();
        for (var team : teams.values())
            for (var account : team.members()) {
                if (!enabled.contains(account.platform())) continue;
                var person = personOf(account);
                if (!seen.add(person)) continue;
                var accounts = accountsOfPerson(person);
                accounts.add(account);
                if (accounts.stream().anyMatch(a -> a.platform() == Platform.EMAIL)
                        || mailOf(account).isPresent()) continue;
                // On the web one signs in as a person through their oidc subject (or email, handled above).
                var missing = enabled.stream().filter(p -> accounts.stream().noneMatch(a -> a.platform() == p
                                || p == Platform.WEB && a.platform() == Platform.OIDC))
                        .map(p -> p.key()).toList();
                if (!missing.isEmpty())
                    lines.add(person + " (" + team.label() + ", " + account + ") has no " + String.join(" or ", missing)
                            + " account and no email in people: (only " + account + " can act for them)");
            }
        return lines;
    }

    /** Every account linked to the same person as this one (including itself). */
    public Set<Actor> accountsOf(Actor actor) {
        var person = personOf(actor);
        var accounts = new LinkedHashSet<Actor>();
        accounts.add(actor);
        personOf.forEach((a, p) -> { if (p.equals(person)) accounts.add(a); });
        return accounts;
    }

    /** Whether one of {@code accounts} (a person's few) is among the team's members (maybe hundreds, a hash set). */
    private static boolean isMember(Team team, Set<Actor> accounts) {
        for (var account : accounts) if (team.members().contains(account)) return true;
        return false;
    }

    /** The teams whose policy lists this account or another account of the same person. */
    public Set<String> listedTeamsOf(Actor actor) {
        var accounts = accountsOf(actor);
        var result = new LinkedHashSet<String>();
        teams.values().forEach(t -> { if (isMember(t, accounts)) result.add(t.key()); });
        return result;
    }

    /** Thrown when a policy cannot be used; carries every problem found. */
    public static final class InvalidPolicy extends RuntimeException {
        private final List<String> problems;

        public InvalidPolicy(List<String> problems) {
            super("invalid policy:\n  - " + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() { return problems; }
    }
}
