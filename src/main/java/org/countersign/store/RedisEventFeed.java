package org.countersign.store;

import static org.countersign.store.RedisCalls.call;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.countersign.app.EventFeed;
import org.countersign.domain.Event;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XClaimParams;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The events stream ({@code <p>events}) read through Redis consumer groups. Dead letters go to a capped list
 * per group, {@code <p>deadletter:<group>}, newest first.
 */
public final class RedisEventFeed implements EventFeed {
    static final int DEAD_LETTERS_KEPT = 1000;
    /** Where a Redis that does not report a group's lag has it counted, the count stops. */
    static final int LAG_COUNTED_MAX = 1000;
    /** At most this many events are handed back by a consumer that stops; the rest wait until they look abandoned. */
    static final int HANDED_BACK_MAX = 10_000;
    /** The idle time handed-back events are given: a day, past any claim's threshold. */
    static final long HANDED_BACK_IDLE = Duration.ofDays(1).toMillis();

    private final UnifiedJedis redis;
    private final Keys keys;
    private final ObjectMapper json = DomainJson.mapper();
    private final java.util.Map<String, String> claimCursors = new java.util.concurrent.ConcurrentHashMap<>();
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RedisEventFeed.class);

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
            var text = entry.getFields() == null ? null : entry.getFields().get("event");
            if (text == null) continue;
            try {
                deliveries.add(new Delivery(position, json.readValue(text, Event.class)));
            } catch (JsonProcessingException | RuntimeException e) {
                log.warn("live events: event {} is not readable by this version; not shown", position);
            }
        }
        return new Tail(position, deliveries);
    }

    @Override
    public String newest() {
        return call(() -> redis.xrevrange(keys.events(), StreamEntryID.MAXIMUM_ID, StreamEntryID.MINIMUM_ID, 1))
                .stream().findFirst().map(StreamEntry::getID).orElse(new StreamEntryID(0, 0)).toString();
    }

    @Override
    public List<Delivery> claimAbandoned(String group, String consumer, Duration idle, int count) {
        // On from where the last claim stopped: from 0-0 every time, a long pending list's tail would never be reached.
        var from = claimCursors.getOrDefault(group, "0-0");
        // Sent as it is: Redis 7 answers the ids of entries trimmed meanwhile in a third element, which Jedis drops.
        var stream = keys.events().getBytes(StandardCharsets.UTF_8);
        var args = java.util.stream.Stream.of(keys.events(), group, consumer, Long.toString(idle.toMillis()), from, "COUNT",
                Integer.toString(count)).map(a -> a.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        var reply = (List<?>) call(() -> redis.sendCommand(stream, Protocol.Command.XAUTOCLAIM, args));
        claimCursors.put(group, text(reply.get(0)));
        var deliveries = new ArrayList<Delivery>();
        for (var item : (List<?>) reply.get(1)) {
            if (!(item instanceof List<?> entry)) continue; // Redis 6.2: a trimmed entry, and no id to tell
            var fields = new java.util.HashMap<String, String>();
            if (entry.get(1) instanceof List<?> pairs)
                for (int i = 0; i + 1 < pairs.size(); i += 2) fields.put(text(pairs.get(i)), text(pairs.get(i + 1)));
            add(group, new StreamEntry(new StreamEntryID(text(entry.get(0))), entry.get(1) == null ? null : fields),
                    deliveries);
        }
        if (reply.size() > 2 && reply.get(2) instanceof List<?> trimmed)
            for (var id : trimmed) add(group, new StreamEntry(new StreamEntryID(text(id)), null), deliveries);
        return deliveries;
    }

    private static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    /**
     * Each entry on its own: one trimmed from the stream while pending (it comes back without fields) or one this
     * version cannot read (an event type a newer instance added) is logged, dead-lettered as it is and acknowledged, and
     * the others are delivered.
     */
    private void add(String group, StreamEntry entry, List<Delivery> into) {
        var fields = entry.getFields();
        var text = fields == null ? null : fields.get("event");
        if (text == null) {
            log.warn("{}: event {} was trimmed from the stream before it was delivered; dead-lettered", group,
                    entry.getID());
            setAsideRaw(group, entry.getID(), null, "trimmed from the events stream (MAXLEN) before it was delivered");
            return;
        }
        Event event;
        try {
            event = json.readValue(text, Event.class);
        } catch (JsonProcessingException | RuntimeException e) {
            var why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.toString();
            log.warn("{}: event {} is not readable by this version ({}); dead-lettered as it is", group, entry.getID(),
                    why);
            setAsideRaw(group, entry.getID(), text, "not readable by this version: " + why);
            return;
        }
        into.add(new Delivery(entry.getID().toString(), event));
    }

    private void setAsideRaw(String group, StreamEntryID id, String raw, String reason) {
        var letter = json.createObjectNode().put("deliveryId", id.toString()).put("reason", reason)
                .put("at", Instant.now().toString());
        if (raw != null) letter.put("raw", raw);
        call(() -> {
            redis.lpush(keys.deadLetters(group), letter.toString());
            redis.ltrim(keys.deadLetters(group), 0, DEAD_LETTERS_KEPT - 1);
            return redis.xack(keys.events(), group, id);
        });
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
            redis.xclaimJustId(keys.events(), group, consumer, 0, XClaimParams.xClaimParams().idle(HANDED_BACK_IDLE), ids);
            return ids.length;
        });
    }

    @Override
    public void acknowledge(String group, Delivery delivery) {
        call(() -> redis.xack(keys.events(), group, new StreamEntryID(delivery.deliveryId())));
    }

    @Override
    public void deadLetter(String group, Delivery delivery, String reason) {
        var entry = json.createObjectNode()
                .put("deliveryId", delivery.deliveryId())
                .put("reason", reason)
                .put("at", Instant.now().toString());
        entry.set("event", json.valueToTree(delivery.event()));
        call(() -> {
            redis.lpush(keys.deadLetters(group), entry.toString());
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
                letters.add(new DeadLetter(node.path("deliveryId").asText(), json.treeToValue(node.get("event"), Event.class),
                        node.path("reason").asText(), Instant.parse(node.path("at").asText())));
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
