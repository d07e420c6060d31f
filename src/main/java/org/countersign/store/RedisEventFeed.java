package org.countersign.store;

import static org.countersign.store.RedisCalls.call;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.countersign.app.EventFeed;
import org.countersign.domain.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The events stream ({@code <p>events}) read through Redis consumer groups. Dead letters go to a capped list
 * per group, {@code <p>deadletter:<group>}, newest first.
 */
public final class RedisEventFeed implements EventFeed {
    private static final Logger log = LoggerFactory.getLogger(RedisEventFeed.class);
    static final int DEAD_LETTERS_KEPT = 1000;
    /** Where a Redis that does not report a group's lag has it counted, the count stops. */
    static final int LAG_COUNTED_MAX = 1000;
    /** At most this many events are handed back by a consumer that stops; the rest wait until they look abandoned. */
    static final int HANDED_BACK_MAX = 10_000;
    /** The idle time handed-back events are given: a day, past any claim's threshold. */
    static final long HANDED_BACK_IDLE = Duration.ofDays(1).toMillis();
    static final String TRIMMED = "trimmed from the events stream (MAXLEN) before it was delivered";

    private final UnifiedJedis redis;
    private final Keys keys;
    private final ObjectMapper json = DomainJson.mapper();
    /** Where each group's next XAUTOCLAIM here starts. */
    private final Map<String, String> claimCursors = new ConcurrentHashMap<>();

    public RedisEventFeed(UnifiedJedis redis, String prefix) {
        this.redis = redis;
        this.keys = new Keys(prefix);
    }

    @Override
    public void join(String group) {
        call(() -> {
            try {
                return redis.xgroupCreate(keys.events(), group, StreamEntryID.XGROUP_LAST_ENTRY, true);
            } catch (JedisDataException e) {
                if (String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) return "exists";
                throw e;
            }
        });
    }

    @Override
    public List<Delivery> unacknowledged(String group, String consumer, int count) {
        return read(group, consumer, XReadGroupParams.xReadGroupParams().count(count), new StreamEntryID(0, 0));
    }

    @Override
    public List<Delivery> next(String group, String consumer, int count, Duration block) {
        return read(group, consumer, XReadGroupParams.xReadGroupParams().count(count).block((int) block.toMillis()),
                StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY);
    }

    private List<Delivery> read(String group, String consumer, XReadGroupParams params, StreamEntryID from) {
        var result = call(() -> redis.xreadGroup(group, consumer, params, Map.of(keys.events(), from)));
        var deliveries = new ArrayList<Delivery>();
        if (result == null) return deliveries;
        for (var stream : result) for (var entry : stream.getValue()) add(group, entry, deliveries);
        return deliveries;
    }

    @Override
    public Tail tail(String after, int count, Duration block) {
        // "$" itself would skip whatever is written between two calls, so start from the newest id instead.
        var from = new StreamEntryID(after != null ? after : newest());
        var result = call(() -> redis.xread(XReadParams.xReadParams().count(count).block((int) block.toMillis()),
                Map.of(keys.events(), from)));
        var deliveries = new ArrayList<Delivery>();
        var position = from.toString();
        if (result != null) for (var stream : result) for (var entry : stream.getValue()) {
            position = entry.getID().toString();
            var event = readable(entry);
            if (event != null) deliveries.add(new Delivery(position, event));
            else log.warn("live events: skipped stream entry {}, which this version cannot read", position);
        }
        return new Tail(position, deliveries);
    }

    @Override
    public String newest() {
        return call(() -> redis.xrevrange(keys.events(), StreamEntryID.MAXIMUM_ID, StreamEntryID.MINIMUM_ID, 1))
                .stream().findFirst().map(StreamEntry::getID).orElse(new StreamEntryID(0, 0)).toString();
    }

    /**
     * XAUTOCLAIM from where the group's last claim here stopped (its returned cursor; {@code 0-0} once it went round),
     * so a long pending list is looked through bit by bit rather than its head over and over. It claims ids only, then
     * reads each: an entry trimmed from the stream while pending (which Redis 7 also lists apart, and drops from the
     * pending list as it answers, while 6.2 claims it as it is) is dead-lettered, never acknowledged in silence.
     */
    @Override
    public List<Delivery> claimAbandoned(String group, String consumer, Duration idle, int count) {
        var from = claimCursors.getOrDefault(group, "0-0");
        var reply = call(() -> redis.xautoclaimJustId(SafeEncoder.encode(keys.events()), SafeEncoder.encode(group),
                SafeEncoder.encode(consumer), idle.toMillis(), SafeEncoder.encode(from),
                XAutoClaimParams.xAutoClaimParams().count(count)));
        claimCursors.put(group, SafeEncoder.encode((byte[]) reply.get(0)));
        var deliveries = new ArrayList<Delivery>();
        for (var raw : (List<?>) reply.get(1)) {
            var id = new StreamEntryID(SafeEncoder.encode((byte[]) raw));
            var found = call(() -> redis.xrange(keys.events(), id, id, 1));
            if (found.isEmpty()) trimmed(group, id.toString());
            else add(group, found.get(0), deliveries);
        }
        if (reply.size() > 2 && reply.get(2) instanceof List<?> gone)
            for (var id : gone) trimmed(group, SafeEncoder.encode((byte[]) id));
        return deliveries;
    }

    /** A pending entry the stream no longer holds (MAXLEN trimmed it first): said and set aside, never lost in silence. */
    private void trimmed(String group, String id) {
        log.error("{}: pending event {} was trimmed from the stream before it was delivered; dead-lettered", group, id);
        deadLetterRaw(group, id, Map.of(), TRIMMED);
        call(() -> redis.xack(keys.events(), group, new StreamEntryID(id)));
    }

    /**
     * Adds the entry's event, read on its own: one this version cannot read (an event type a newer instance wrote during
     * a rolling upgrade, broken JSON) is dead-lettered with its raw fields and acknowledged, so it never holds up the
     * others. An entry trimmed from the stream while pending comes back without fields: there is nothing to deliver.
     */
    private void add(String group, StreamEntry entry, List<Delivery> into) {
        var fields = entry.getFields();
        var id = entry.getID().toString();
        if (fields == null) {
            trimmed(group, id);
            return;
        }
        String problem;
        try {
            var text = fields.get("event");
            if (text == null) throw new IllegalArgumentException("the entry has no event field");
            into.add(new Delivery(id, json.readValue(text, Event.class)));
            return;
        } catch (JsonProcessingException e) {
            problem = e.getOriginalMessage();
        } catch (RuntimeException e) {
            problem = e.getMessage();
        }
        log.error("{}: stream entry {} is unreadable here ({}); dead-lettered as it is", group, id, problem);
        deadLetterRaw(group, id, fields, "not readable by this version: " + problem);
        call(() -> redis.xack(keys.events(), group, entry.getID()));
    }

    /** The entry's event, or null when this version cannot read it. */
    private Event readable(StreamEntry entry) {
        var text = entry.getFields() == null ? null : entry.getFields().get("event");
        if (text == null) return null;
        try {
            return json.readValue(text, Event.class);
        } catch (JsonProcessingException | RuntimeException e) {
            return null;
        }
    }

    /** A dead letter with no event: the stream entry's fields as they were (none for an entry already gone). */
    private void deadLetterRaw(String group, String deliveryId, Map<String, String> fields, String reason) {
        var entry = json.createObjectNode()
                .put("deliveryId", deliveryId)
                .put("group", group)
                .put("reason", reason)
                .put("at", Instant.now().toString());
        var raw = entry.putObject("raw");
        fields.forEach(raw::put);
        push(group, entry.toString());
    }

    @Override
    public void keep(String group, String consumer, Delivery delivery) {
        // XCLAIM ... 0 <id> JUSTID to ourselves: the entry stays ours, its idle time starts again.
        call(() -> redis.xclaimJustId(keys.events(), group, consumer, 0,
                XClaimParams.xClaimParams(), new StreamEntryID(delivery.deliveryId())));
    }

    @Override
    public int handBack(String group, String consumer) {
        return call(() -> {
            var ours = redis.xpending(keys.events(), group, XPendingParams.xPendingParams()
                    .start(StreamEntryID.MINIMUM_ID).end(StreamEntryID.MAXIMUM_ID).count(HANDED_BACK_MAX).consumer(consumer));
            if (ours.isEmpty()) return 0;
            var ids = ours.stream().map(p -> p.getID()).toArray(StreamEntryID[]::new);
            // Still ours by name, but idle for longer than any consumer waits before claiming: the next claim takes them.
            var kept = redis.xclaimJustId(keys.events(), group, consumer, 0,
                    XClaimParams.xClaimParams().idle(HANDED_BACK_IDLE), ids);
            // What XCLAIM did not answer is gone from the stream (Redis 7 drops it from the pending list too; 6.2 answers
            // it, and the claim that takes it over finds it gone).
            var left = new java.util.HashSet<>(kept);
            for (var id : ids) if (!left.contains(id)) trimmed(group, id.toString());
            return left.size();
        });
    }

    @Override
    public void acknowledge(String group, Delivery delivery) {
        call(() -> redis.xack(keys.events(), group, new StreamEntryID(delivery.deliveryId())));
    }

    /** One XACK for them all. */
    @Override
    public void acknowledge(String group, List<Delivery> deliveries) {
        if (deliveries.isEmpty()) return;
        var ids = deliveries.stream().map(d -> new StreamEntryID(d.deliveryId())).toArray(StreamEntryID[]::new);
        call(() -> redis.xack(keys.events(), group, ids));
    }

    @Override
    public void deadLetter(String group, Delivery delivery, String reason) {
        var entry = json.createObjectNode()
                .put("deliveryId", delivery.deliveryId())
                .put("reason", reason)
                .put("at", Instant.now().toString());
        entry.set("event", json.valueToTree(delivery.event()));
        push(group, entry.toString());
    }

    private void push(String group, String letter) {
        call(() -> {
            redis.lpush(keys.deadLetters(group), letter);
            return redis.ltrim(keys.deadLetters(group), 0, DEAD_LETTERS_KEPT - 1);
        });
    }

    /** The group's dead letters, newest first, as JSON objects. */
    public List<String> deadLetters(String group, int limit) {
        return call(() -> redis.lrange(keys.deadLetters(group), 0, limit - 1));
    }

    @Override
    public List<DeadLetter> deadLettersOf(String group, int limit) {
        var letters = new ArrayList<DeadLetter>();
        for (var text : deadLetters(group, limit)) {
            try {
                var node = json.readTree(text);
                var raw = new java.util.LinkedHashMap<String, String>();
                node.path("raw").fields().forEachRemaining(f -> raw.put(f.getKey(), f.getValue().asText()));
                var event = node.hasNonNull("event") ? json.treeToValue(node.get("event"), Event.class) : null;
                letters.add(new DeadLetter(node.path("deliveryId").asText(), event, node.path("reason").asText(),
                        Instant.parse(node.path("at").asText()), raw));
            } catch (JsonProcessingException | RuntimeException e) {
                // one unreadable entry must not hide the others
            }
        }
        return letters;
    }

    /**
     * XINFO GROUPS: Redis 7 says each group's lag; where it does not (Redis 6, or a stream trimmed past the group),
     * the entries after the group's last delivered one are counted, up to {@link #LAG_COUNTED_MAX}.
     */
    @Override
    public List<Backlog> backlogs() {
        return call(() -> {
            List<redis.clients.jedis.resps.StreamGroupInfo> groups;
            try {
                groups = redis.xinfoGroups(keys.events());
            } catch (JedisDataException e) {
                if (String.valueOf(e.getMessage()).contains("no such key")) return List.of();
                throw e;
            }
            var backlogs = new ArrayList<Backlog>();
            for (var g : groups) {
                long lag = g.getGroupInfo().get("lag") instanceof Long known ? known
                        : redis.xrange(keys.events(), "(" + g.getLastDeliveredId(), "+", LAG_COUNTED_MAX).size();
                backlogs.add(new Backlog(g.getName(), lag, g.getPending(), redis.llen(keys.deadLetters(g.getName()))));
            }
            return backlogs;
        });
    }

}
