package org.countersign.store;

/** The Lua scripts of {@link RedisRequestStore}: the save, which changes everything of one request in one step, and the newest requests of a list. */
final class RequestScripts {
    private RequestScripts() {}

    // KEYS: request, timeline, open, all, events, then one state set per State in declaration order.
    // ARGV: expected version (0 = create), new version, request JSON, index of the new state's key among the
    // state keys (1-based), member, created millis, deadline millis, "1" if it has a deadline, stream cap, request id,
    // the new state's name, then (type, event id, event JSON) for each event. The request's state is kept in its hash
    // ({@code s}), so a save moves it out of its old state's set only; a request saved before the field existed is
    // removed from every state set but its own, which also heals a set left stale by hand.
    static final LuaScript SAVE = LuaScript.of("""
            local current = redis.call('HMGET', KEYS[1], 'v', 's')
            if ARGV[1] == '0' then
              if current[1] then return 0 end
            elseif current[1] ~= ARGV[1] then
              return 0
            end
            redis.call('HSET', KEYS[1], 'v', ARGV[2], 'json', ARGV[3], 's', ARGV[11])
            local member = ARGV[5]
            local target = tonumber(ARGV[4])
            if current[2] ~= ARGV[11] then
              redis.call('ZADD', KEYS[5 + target], ARGV[6], member)
            end
            if ARGV[1] ~= '0' and current[2] ~= ARGV[11] then
              for i = 6, #KEYS do
                if i - 5 ~= target and (not current[2] or KEYS[i]:sub(-#current[2] - 1) == ':' .. current[2]) then
                  redis.call('ZREM', KEYS[i], member)
                end
              end
            end
            if ARGV[8] == '1' then
              redis.call('ZADD', KEYS[3], ARGV[7], member)
            elseif current[1] then
              redis.call('ZREM', KEYS[3], member)
            end
            if ARGV[1] == '0' then
              redis.call('ZADD', KEYS[4], ARGV[6], member)
            end
            for i = 12, #ARGV, 3 do
              redis.call('RPUSH', KEYS[2], ARGV[i + 2])
              redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[9], '*',
                'type', ARGV[i], 'request', ARGV[10], 'id', ARGV[i + 1], 'event', ARGV[i + 2])
            end
            return 1
            """);

    // KEYS: sorted sets scored by creation, then the events stream. ARGV: how many, the request keys' prefix, the
    // generation of the list the caller holds ("" for none). The newest requests among the sets, newest first (ties:
    // the higher number first), in one step: {generation, their JSON...}, or {generation} alone when it is the one
    // the caller holds. A list changes only by a save, which adds to the events stream, or by an archive, which only
    // removes from the sets; so the stream's last entry id and the sets' sizes (the generation) change whenever the
    // list can. No stream, no generation (""): the list is read in full.
    static final LuaScript RECENT = LuaScript.of("""
            local limit = tonumber(ARGV[1])
            local sets = #KEYS - 1
            local generation = ''
            local last = redis.call('XREVRANGE', KEYS[#KEYS], '+', '-', 'COUNT', 1)[1]
            if last then
              local sizes = {}
              for i = 1, sets do sizes[i] = redis.call('ZCARD', KEYS[i]) end
              generation = last[1] .. '/' .. table.concat(sizes, ',')
              if generation == ARGV[3] then return {generation} end
            end
            local newest = {}
            for i = 1, sets do
              local found = redis.call('ZREVRANGE', KEYS[i], 0, limit - 1, 'WITHSCORES')
              for j = 1, #found, 2 do newest[#newest + 1] = {tonumber(found[j + 1]), found[j]} end
            end
            table.sort(newest, function(a, b)
              if a[1] ~= b[1] then return a[1] > b[1] end
              return a[2] > b[2]
            end)
            local reply = {generation}
            for i = 1, math.min(limit, #newest) do
              local text = redis.call('HGET', ARGV[2] .. (newest[i][2]:gsub('^0+', '')), 'json')
              if text then reply[#reply + 1] = text end
            end
            return reply
            """);
}
