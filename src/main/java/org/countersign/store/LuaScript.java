package org.countersign.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script sent by its SHA-1 ({@code EVALSHA}): one command and a few bytes on the wire; the text goes once, when
 * Redis does not have it cached (after a restart or {@code SCRIPT FLUSH}).
 */
record LuaScript(String text, String sha) {
    static LuaScript of(String text) { return new LuaScript(text, sha1(text)); }

    Object run(UnifiedJedis redis, List<String> keys, List<String> args) {
        try {
            return redis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return redis.eval(text, keys, args);
        }
    }

    /**
     * A pipelined script's reply, or null when Redis did not have the script cached (it did nothing then): a pipeline
     * hands the NOSCRIPT error back as a plain data error.
     */
    static <T> T replyOrUncached(Response<T> reply) {
        try {
            return reply.get();
        } catch (JedisDataException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) return null;
            throw e;
        }
    }

    static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
