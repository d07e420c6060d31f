package org.countersign.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.countersign.app.RateLimiter;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.State;
import redis.clients.jedis.UnifiedJedis;

/**
 * The lists of {@link RedisRequestStore#recent}: the newest among the sets, read by {@link RequestScripts#RECENT}, and
 * the last list read per sets and limit, handed out again while its generation stands. A list asked for with a rate
 * count ({@link #recentCounted}) sends the count and the list in one pipeline: one write and one read, where the two
 * had been two round trips, most of what a list cost the service.
 */
final class RedisLists {
    /** How many lists (sets and limit) are held before they are read anew. */
    static final int HELD = 32;

    private final UnifiedJedis redis;
    private final Keys keys;
    private final Function<String, EmergencyRequest> decode;
    private final Map<String, Listed> listed = new ConcurrentHashMap<>();

    RedisLists(UnifiedJedis redis, Keys keys, Function<String, EmergencyRequest> decode) {
        this.redis = redis;
        this.keys = keys;
        this.decode = decode;
    }

    /** A list as read, with the generation it was read at. */
    private record Listed(String generation, List<EmergencyRequest> requests) {}

    /** What the script is asked: its keys and arguments, which list that is, and the one held of it. */
    private record Ask(List<String> keys, List<String> args, String asked, Listed held) {}

    List<EmergencyRequest> recent(Set<State> states, int limit) {
        if (limit < 1) return List.of();
        var ask = ask(states, limit);
        return answer(ask, RedisCalls.read(() -> RequestScripts.RECENT.run(redis, ask.keys(), ask.args())));
    }

    /**
     * One action of {@code caller} counted by {@code limiter} under {@code rate}, then the list; when the count is
     * refused, how long to wait, and the list is not looked at. Both go in one pipeline (a script Redis lacks is sent
     * again alone, as text: never counted twice).
     */
    RateLimiter.Counted<List<EmergencyRequest>> recentCounted(Set<State> states, int limit, RedisRateLimiter limiter,
                                                              String caller, RateLimiter.Limit rate) {
        var ask = ask(states, limit);
        return limiter.countedWith(caller, rate, pipe -> pipe.evalsha(RequestScripts.RECENT.sha(), ask.keys(), ask.args()))
                .map(sent -> {
                    var list = RedisCalls.read(() -> LuaScript.replyOrUncached(sent));
                    return answer(ask, list != null ? list
                            : RedisCalls.read(() -> RequestScripts.RECENT.run(redis, ask.keys(), ask.args())));
                });
    }

    private Ask ask(Set<State> states, int limit) {
        var keyList = new ArrayList<String>(states.size() + 1);
        if (states.isEmpty()) keyList.add(keys.all());
        else states.stream().sorted().forEach(s -> keyList.add(keys.state(s)));
        var asked = keyList + " " + limit;
        keyList.add(keys.events());
        var held = listed.get(asked);
        var args = List.of(Integer.toString(limit), keys.requestPrefix(),
                held == null ? "" : held.generation());
        return new Ask(keyList, args, asked, held);
    }

    private List<EmergencyRequest> answer(Ask ask, Object replied) {
        var reply = (List<?>) replied;
        var generation = (String) reply.get(0);
        var held = ask.held();
        if (held != null && held.generation().equals(generation)) return held.requests();
        var requests = reply.subList(1, reply.size()).stream().map(t -> decode.apply((String) t)).toList();
        if (!generation.isEmpty()) {
            if (listed.size() >= HELD) listed.clear(); // limits come from callers (the API's ?limit=)
            listed.put(ask.asked(), new Listed(generation, requests));
        }
        return requests;
    }
}
