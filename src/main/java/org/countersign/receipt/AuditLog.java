package org.countersign.receipt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.countersign.domain.Disclosure;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;

/**
 * The audit export: every timeline entry as one line of JSON (JSON Lines), oldest first, each carrying the hash of
 * the line before it ({@code prev}) and its own ({@code hash}, SHA-256 of its canonical JSON without {@code hash}),
 * then one last line, a DSSE envelope signed with the receipt key, that names how many entries there are and the
 * last hash. Editing a line breaks its hash; removing, adding or reordering one breaks the chain; cutting lines off
 * the end, or writing a new chain, breaks the signed end.
 */
public final class AuditLog {
    /** The payload type of the signed end line. */
    public static final String END_TYPE = "application/vnd.countersign.audit-end+json";
    /** The {@code prev} of the first entry. */
    public static final String GENESIS = "0".repeat(64);
    /** How many requests are read per round trip while exporting. */
    static final int PAGE = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    private AuditLog() {}

    /**
     * Where the export reads the history from, by request number a page at a time: live requests and archived ones
     * alike. Numbers only grow and a request only moves from live to archived, so nothing is missed or read twice
     * while requests are opened or archived during an export, as could happen walking an index by position.
     */
    public interface History {
        /** The highest request number handed out so far. */
        long highest();

        /** The requests numbered {@code from} to {@code from + count - 1} that exist, each with its timeline. */
        List<Recorded> numbered(long from, int count);
    }

    /** A request and its timeline, oldest event first. */
    public record Recorded(EmergencyRequest request, List<Event> timeline) {}

    /**
     * Writes every entry at or after {@code since} (every entry when null), then the signed end line. A confidential
     * request's entries keep their type, actor, state and team; their free text is left out ({@code "redacted": true}).
     *
     * @return how many entries were written
     */
    public static int export(History history, Instant since, Instant now, SigningKeys keys, Writer out) {
        record Entry(Event event, int position, boolean hide) {}
        var entries = new ArrayList<Entry>();
        long highest = history.highest();
        for (long from = 1; from <= highest; from += PAGE) {
            for (var recorded : history.numbered(from, PAGE)) {
                boolean hide = Disclosure.hidesFrom(recorded.request(), new Disclosure.Audience.Anyone());
                var timeline = recorded.timeline();
                for (int j = 0; j < timeline.size(); j++)
                    if (since == null || !timeline.get(j).at().isBefore(since))
                        entries.add(new Entry(timeline.get(j), j, hide));
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> e.event().at())
                .thenComparingLong(e -> e.event().request().number()).thenComparingInt(Entry::position));
        var prev = GENESIS;
        long seq = 0;
        try {
            for (var entry : entries) {
                var e = entry.event();
                var line = Canonical.object("seq", ++seq, "at", e.at().toString(), "request", e.request().toString(),
                        "event", e.id(), "type", e.type().wire(), "actor", e.actor().toString(), "state", e.state().name(),
                        "team", e.team(), "detail", entry.hide() ? null : e.detail(), "redacted", entry.hide() ? true : null,
                        "prev", prev);
                var hash = Canonical.sha256Hex(Canonical.bytes(line));
                line.put("hash", hash);
                out.write(new String(Canonical.bytes(line), StandardCharsets.UTF_8));
                out.write('\n');
                prev = hash;
            }
            var end = Canonical.object("type", "countersign.audit.end", "entries", seq, "head", prev,
                    "since", since == null ? null : since.toString(), "exported", now.toString());
            var envelope = Dsse.sign(END_TYPE, Canonical.bytes(end), keys);
            out.write(JSON.writeValueAsString(envelope));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (int) seq;
    }

    /** What checking an export found: the entries it holds, and the first problem, if any. */
    public record Verdict(long entries, Optional<String> problem, String keyId) {
        public boolean valid() { return problem.isEmpty(); }

        static Verdict bad(long entries, String problem) { return new Verdict(entries, Optional.of(problem), null); }
    }

    /** Checks an export, line by line, against the trusted public keys (key id to key). */
    public static Verdict verify(List<String> lines, Map<String, PublicKey> trusted) {
        var body = new ArrayList<>(lines);
        while (!body.isEmpty() && body.get(body.size() - 1).isBlank()) body.remove(body.size() - 1);
        if (body.isEmpty()) return Verdict.bad(0, "the file is empty: an export always ends with its signed end line");
        var last = body.remove(body.size() - 1);
        var prev = GENESIS;
        long seq = 0;
        for (int i = 0; i < body.size(); i++) {
            int lineNo = i + 1;
            TreeMap<String, Object> entry;
            try {
                entry = JSON.readValue(body.get(i), new TypeReference<TreeMap<String, Object>>() {});
            } catch (JsonProcessingException e) {
                return Verdict.bad(seq, "line " + lineNo + " is not JSON: it was edited or cut");
            }
            if (entry == null || entry.containsKey("payloadType"))
                return Verdict.bad(seq, "line " + lineNo + " is an end line in the middle: lines after it were added");
            var hash = entry.remove("hash");
            if (!(hash instanceof String h) || !h.equals(Canonical.sha256Hex(Canonical.bytes(entry))))
                return Verdict.bad(seq, "line " + lineNo + " was edited: its hash does not match its content");
            if (!prev.equals(entry.get("prev")))
                return Verdict.bad(seq, "line " + lineNo + " does not follow line " + (lineNo - 1)
                        + ": a line before it was removed, added or moved");
            if (!(entry.get("seq") instanceof Number n) || n.longValue() != seq + 1)
                return Verdict.bad(seq, "line " + lineNo + " is out of sequence");
            prev = h;
            seq++;
        }
        Dsse.Envelope envelope;
        try {
            envelope = JSON.readValue(last, Dsse.Envelope.class);
        } catch (JsonProcessingException | RuntimeException e) {
            return Verdict.bad(seq, "the last line is not the signed end: the file was cut short or lines were added");
        }
        var kid = Dsse.verifiedBy(envelope, END_TYPE, trusted);
        if (kid.isEmpty())
            return Verdict.bad(seq, "the signed end does not verify with any trusted key: it was forged or edited, "
                    + "or the keys are not this Countersign's");
        Map<String, Object> end;
        try {
            end = JSON.readValue(envelope.payloadBytes().orElseThrow(), new TypeReference<Map<String, Object>>() {});
        } catch (IOException | RuntimeException e) {
            return Verdict.bad(seq, "the signed end holds no readable summary");
        }
        if (!(end.get("entries") instanceof Number count) || count.longValue() != seq)
            return Verdict.bad(seq, "the signed end says " + end.get("entries") + " entries, the file has " + seq
                    + ": lines were removed from, or added to, the end");
        if (!prev.equals(end.get("head")))
            return Verdict.bad(seq, "the signed end names another last hash: the chain was rewritten");
        return new Verdict(seq, Optional.empty(), kid.get());
    }
}
