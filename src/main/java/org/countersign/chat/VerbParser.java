package org.countersign.chat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.countersign.domain.Actor;
import org.countersign.domain.DeployResult;
import org.countersign.domain.Draft;
import org.countersign.domain.RequestId;
import org.countersign.chat.Verb.Approve;
import org.countersign.chat.Verb.Cancel;
import org.countersign.chat.Verb.Close;
import org.countersign.chat.Verb.DeployEnded;
import org.countersign.chat.Verb.DeployStarted;
import org.countersign.chat.Verb.Edit;
import org.countersign.chat.Verb.Withdraw;
import org.countersign.chat.Verb.Help;
import org.countersign.chat.Verb.ListOpen;
import org.countersign.chat.Verb.Open;
import org.countersign.chat.Verb.Reject;
import org.countersign.chat.Verb.Status;
import org.countersign.chat.Verb.Usage;
import org.countersign.chat.CommandWords.Args;
import org.countersign.chat.CommandWords.Bad;
import org.countersign.chat.CommandWords.Token;

/**
 * Reads {@link Verb}s from what people type: shell-like tokens, then each command's syntax. Arguments may be
 * double-quoted ("like this", or with the curly quotes phones type), and an option may start with the dash a phone
 * makes of {@code --}. Every platform's commands are read here, so each command's words are written once.
 */
public final class VerbParser {
    /** Each command's usage after its word, in the order help lists them; {@code ACCOUNT} is the platform's example. */
    static final Map<String, String> USAGE;
    /** Each command's one-line description. */
    static final Map<String, String> WHAT;
    private static final int ECHO_MAX = 40;
    private static final String FORM_USAGE = "[reason] [summary…]";
    private static final String EDIT_FORM_USAGE = "EMG-n [--change REF]…";

    static {
        var usage = new LinkedHashMap<String, String>();
        var what = new LinkedHashMap<String, String>();
        usage.put("emergency", "<reason> <summary…> --change REF [--change REF]… [--task T] "
                + "(--rollback | --no-rollback \"why not\") [--deployer ACCOUNT]");
        what.put("emergency", "Open a request, e.g. !emergency availability Revert the cache change "
                + "--change 123456 --rollback");
        usage.put("approve", "EMG-n [team]");
        what.put("approve", "Approve for your team (say which if you are in several)");
        usage.put("withdraw", "EMG-n [team]");
        what.put("withdraw", "Take your approval back while the request still waits for other teams");
        usage.put("reject", "EMG-n <reason…>");
        what.put("reject", "Reject, saying what the requester must fix");
        usage.put("cancel", "EMG-n [note…]");
        what.put("cancel", "Cancel a request whose deploy has not started");
        usage.put("edit", "EMG-n --change REF [--change REF]…");
        what.put("edit", "Replace the changes of your request; its approvals are cleared, so every team approves again");
        usage.put("deploy", "EMG-n started|succeeded|failed|rolled-back [note…]");
        what.put("deploy", "Report how the deploy is going");
        usage.put("close", "EMG-n <note…>");
        what.put("close", "Close after the deploy, saying what is left to do");
        usage.put("break-glass", "EMG-n <reason…>");
        what.put("break-glass", "Let a pending request through without its approvals (only people the policy names;"
                + " told to the ops and security rooms, paged, reviewed afterwards)");
        usage.put("review", "EMG-n <follow-up link or task>");
        what.put("review", "Review a request after its deploy, with the follow-up (not its requester or deployer)");
        usage.put("reviews", "");
        what.put("reviews", "List the requests awaiting their review, overdue ones first");
        usage.put("status", "[EMG-n]");
        what.put("status", "Show one request, e.g. !status EMG-12, or every open one");
        usage.put("list", "");
        what.put("list", "List the open requests");
        usage.put("windows", "");
        what.put("windows", "Show the deployment windows today and the next ones, and any freeze");
        usage.put("help", "");
        what.put("help", "Show this help");
        USAGE = Collections.unmodifiableMap(usage);
        WHAT = Collections.unmodifiableMap(what);
    }

    private VerbParser() {}

    /** The usage line of {@code command} as typed with {@code syntax}. */
    static String usage(Syntax syntax, String command) {
        var args = USAGE.get(command);
        if (args == null) throw new IllegalArgumentException("unknown command: " + command);
        if (command.equals("emergency")) {
            if (syntax.opensByForm()) return syntax.prefix().strip() + " " + FORM_USAGE;
            args = args.replace("ACCOUNT", syntax.accountExample());
        }
        if (command.equals("edit") && syntax.opensByForm()) args = EDIT_FORM_USAGE;
        return syntax.typed(command + (args.isEmpty() ? "" : " " + args));
    }

    /** What a command does, its examples in this platform's spelling. */
    static String what(Syntax syntax, String command) {
        if (command.equals("emergency") && syntax.opensByForm())
            return "Open the request form, filled in with what you typed, e.g. " + syntax.prefix() + "availability API "
                    + "returns 500s";
        if (command.equals("edit") && syntax.opensByForm())
            return WHAT.get(command) + " (without --change it opens the form with the current ones)";
        return WHAT.get(command).replace("!", syntax.prefix());
    }

    /** The commands help lists, in order. */
    static List<String> commands() { return List.copyOf(USAGE.keySet()); }

    /**
     * The command in a message typed in a room ({@code !approve EMG-12}), ignoring a rich-reply fallback
     * ({@code > <@user> …} lines) before it; empty when the body is not a known command, so ordinary chat and other
     * bots' commands are left alone.
     */
    public static Optional<Verb> parse(String body, Syntax syntax) {
        var text = withoutReplyFallback(body).stripLeading();
        if (!text.startsWith(syntax.prefix())) return Optional.empty();
        return parseCommand(text.substring(syntax.prefix().length()), syntax);
    }

    /**
     * The command in what follows {@code /emergency} ({@code approve EMG-12}); empty when it is not one of the
     * commands, which then opens the request form with what was typed.
     */
    public static Optional<Verb> parseAfterSlash(String text, Syntax syntax) {
        var words = text == null ? "" : text.stripLeading();
        var first = words.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        if (first.equals("emergency") || !USAGE.containsKey(first)) return Optional.empty();
        return parseCommand(words, syntax);
    }

    private static Optional<Verb> parseCommand(String text, Syntax syntax) {
        int end = 0;
        while (end < text.length() && !CommandWords.isSpace(text.charAt(end))) end++;
        var command = text.substring(0, end).toLowerCase(Locale.ROOT);
        if (!USAGE.containsKey(command)) return Optional.empty();
        var args = new Args(text.substring(end));
        try {
            return Optional.of(switch (command) {
                case "emergency" -> emergency(args, syntax);
                case "approve" -> approve(args);
                case "withdraw" -> {
                    var id = id(args);
                    var team = args.next();
                    args.end();
                    yield new Withdraw(id, team == null ? null : team.text());
                }
                case "edit" -> edit(args, syntax);
                case "reject" -> new Reject(id(args), required(args.rest(),
                        "say why you reject it, so the requester knows what to fix"));
                case "cancel" -> new Cancel(id(args), blankToNull(args.rest()));
                case "deploy" -> deploy(args);
                case "close" -> new Close(id(args), required(args.rest(),
                        "add a follow-up note: what is left to do (the proper fix, a task, an incident report)"));
                case "break-glass" -> new Verb.BreakGlass(id(args), required(args.rest(),
                        "write why it cannot wait for its approvals; everyone in the ops and security rooms will read it"));
                case "review" -> new Verb.Review(id(args), required(args.rest(),
                        "give the follow-up: a task id (T12345) or a URL"));
                case "reviews" -> {
                    args.end();
                    yield new Verb.Reviews();
                }
                case "status" -> status(args);
                case "list" -> {
                    args.end();
                    yield new ListOpen();
                }
                case "windows" -> {
                    args.end();
                    yield new Verb.Windows();
                }
                default -> new Help();
            });
        } catch (Bad bad) {
            return Optional.of(new Usage(command, bad.getMessage(), usage(syntax, command)));
        }
    }

    /** The body without the quoted lines a rich reply starts with, and the blank line after them. */
    static String withoutReplyFallback(String body) {
        if (body == null) return "";
        var lines = body.replace("\r\n", "\n").split("\n", -1);
        int i = 0;
        while (i < lines.length && (lines[i].startsWith("> ") || lines[i].equals(">"))) i++;
        if (i == 0) return body;
        if (i < lines.length && lines[i].isBlank()) i++;
        return String.join("\n", Arrays.asList(lines).subList(i, lines.length));
    }

    private static Verb approve(Args args) {
        var id = id(args);
        var team = args.next();
        args.end();
        return new Approve(id, team == null ? null : team.text());
    }

    /** {@code EMG-12 --change REF…}: the new list, replacing the old; without one, the form (where there is one). */
    private static Verb edit(Args args, Syntax syntax) {
        var id = id(args);
        var changes = new ArrayList<String>();
        for (var token = args.next(); token != null; token = args.next()) {
            if (!token.option())
                throw new Bad(echo(token.text()) + " is not an option; give each new change after --change");
            var option = token.name();
            if (!option.equals("change") && !option.equals("changes"))
                throw new Bad("there is no option --" + Texts.shorten(option, ECHO_MAX) + " here; give the new changes "
                        + "with --change");
            var values = values(args, token.inlineValue());
            if (values.isEmpty()) throw new Bad("--change needs a change: a URL or a change number");
            changes.addAll(values);
        }
        if (!changes.isEmpty()) return new Edit(id, changes);
        if (syntax.opensByForm()) return new Edit(id, null);
        throw new Bad("give the new changes with --change; they replace all of " + id + "'s");
    }

    private static Verb deploy(Args args) {
        var id = id(args);
        var status = args.next();
        if (status == null) throw new Bad("say how the deploy went: started, succeeded, failed or rolled-back");
        var note = blankToNull(args.rest());
        if (status.text().equalsIgnoreCase("started")) return new DeployStarted(id, note);
        var result = DeployResult.parse(status.text()).orElseThrow(() -> new Bad(echo(status.text())
                + " is not how a deploy goes; say started, succeeded, failed or rolled-back"));
        return new DeployEnded(id, result, note);
    }

    private static Verb status(Args args) {
        var token = args.next();
        if (token == null) return new Status(Optional.empty());
        var id = requestId(token);
        args.end();
        return new Status(Optional.of(id));
    }

    // The reason and the summary come first; then options, each with its own number of values.
    private static Verb emergency(Args args, Syntax syntax) {
        var reason = args.next();
        if (reason == null || reason.option())
            throw new Bad("start with the reason, then say in a few words what the deploy fixes");
        var summary = new ArrayList<String>();
        while (args.peek() != null && !args.peek().option()) summary.add(args.next().text());
        var changes = new ArrayList<String>();
        String task = null;
        Boolean rollback = null;
        String whyNot = null;
        Actor deployer = null;
        for (var token = args.next(); token != null; token = args.next()) {
            var option = token.name();
            var inline = token.inlineValue();
            switch (option) {
                case "change", "changes" -> {
                    var values = values(args, inline);
                    if (values.isEmpty()) throw new Bad("--change needs a change: a URL or a change number");
                    changes.addAll(values);
                }
                case "task" -> {
                    if (task != null) throw new Bad("give --task once");
                    task = single(args, option, inline, "--task needs a task, e.g. --task T12345");
                }
                case "rollback" -> {
                    if (rollback != null) throw new Bad("say --rollback or --no-rollback, once");
                    if (inline != null) throw new Bad("--rollback takes no value");
                    rollback = true;
                    noValue(args, option);
                }
                case "no-rollback" -> {
                    if (rollback != null) throw new Bad("say --rollback or --no-rollback, once");
                    var why = values(args, inline);
                    if (why.isEmpty())
                        throw new Bad("--no-rollback needs the reason a rollback will not do, "
                                + "e.g. --no-rollback \"the bad change also migrated the schema\"");
                    rollback = false;
                    whyNot = String.join(" ", why);
                }
                case "deployer" -> {
                    if (deployer != null) throw new Bad("give --deployer once");
                    var id = single(args, option, inline, "--deployer needs " + syntax.accountKind() + ", e.g. "
                            + "--deployer " + syntax.accountExample());
                    deployer = syntax.account().apply(id).orElseThrow(() -> new Bad("--deployer needs "
                            + syntax.accountKind() + " like " + syntax.accountExample() + ", not " + echo(id)));
                }
                default -> throw new Bad("there is no option --" + Texts.shorten(option, ECHO_MAX));
            }
        }
        return new Open(new Draft(reason.text(), summary.isEmpty() ? null : String.join(" ", summary), null,
                changes, task, rollback, whyNot, deployer));
    }

    /** The value given as {@code --option=value}, or every plain token that follows. */
    private static List<String> values(Args args, String inline) {
        var values = new ArrayList<String>();
        if (inline != null) {
            if (!inline.isBlank()) values.add(inline);
            return values;
        }
        while (args.peek() != null && !args.peek().option()) values.add(args.next().text());
        return values;
    }

    /** Exactly one value, as {@code --option=value} or the next token; plain tokens after it are a mistake. */
    private static String single(Args args, String option, String inline, String missing) {
        String value;
        if (inline != null) {
            value = inline;
        } else {
            var next = args.peek();
            value = next == null || next.option() ? "" : args.next().text();
        }
        if (value.isBlank()) throw new Bad(missing);
        noValue(args, option);
        return value;
    }

    private static void noValue(Args args, String option) {
        var extra = args.peek();
        if (extra != null && !extra.option())
            throw new Bad(echo(extra.text()) + " is not part of --" + option
                    + "; quote values with spaces, and put the summary before the options");
    }

    private static RequestId id(Args args) {
        var token = args.next();
        if (token == null) throw new Bad("say which request, e.g. EMG-12");
        return requestId(token);
    }

    private static RequestId requestId(Token token) {
        return RequestId.parse(token.text()).orElseThrow(() ->
                new Bad(echo(token.text()) + " is not a request id; they look like EMG-12"));
    }

    private static String required(String text, String problem) {
        if (text == null || text.isBlank()) throw new Bad(problem);
        return text;
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s; }

    /** What someone typed, quoted back short; whoever shows the reply escapes it. */
    static String echo(String text) { return "\"" + Texts.shorten(text, ECHO_MAX) + "\""; }

}
