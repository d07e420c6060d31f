package org.countersign.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import redis.clients.jedis.HostAndPort;

/**
 * REDIS_URL read into what a client needs: one server ({@code redis://}, {@code rediss://}), a Sentinel-watched master
 * ({@code redis-sentinel://h:p,h:p/master}, {@code rediss-sentinel://}) or a Cluster ({@code redis-cluster://h:p,h:p},
 * {@code rediss-cluster://}). The user and password in the URL are the data servers' (master, replicas, cluster
 * nodes); Sentinels have their own password, REDIS_SENTINEL_PASSWORD.
 *
 * @param database the database number; always 0 for a Cluster
 * @param master   the master's name Sentinel knows it by; null for the others
 */
public record RedisUrl(Kind kind, boolean tls, String user, String password, List<HostAndPort> nodes, String master,
                       int database) {
    public enum Kind { STANDALONE, SENTINEL, CLUSTER }

    static final int DEFAULT_PORT = 6379;
    static final int DEFAULT_SENTINEL_PORT = 26379;
    static final String EXPECTED = "expected redis://[user:password@]host[:port][/db], "
            + "redis-sentinel://[user:password@]host:port[,host:port...]/master or "
            + "redis-cluster://[user:password@]host:port[,host:port...] (rediss… for TLS)";
    private static final Pattern SCHEME = Pattern.compile("^(rediss?)(-sentinel|-cluster)?://", Pattern.CASE_INSENSITIVE);
    private static final Pattern MASTER = Pattern.compile("[A-Za-z0-9._-]+");

    public RedisUrl {
        nodes = List.copyOf(nodes);
    }

    /** Reads {@code url}; an {@link IllegalArgumentException} says what is wrong, never with the password. */
    public static RedisUrl parse(String url) {
        var text = url == null ? "" : url.strip();
        var scheme = SCHEME.matcher(text);
        if (!scheme.find())
            throw new IllegalArgumentException("REDIS_URL does not start with redis://, rediss://, redis-sentinel:// or "
                    + "redis-cluster://: " + redacted(url) + "; " + EXPECTED);
        boolean tls = scheme.group(1).equalsIgnoreCase("rediss");
        var topology = scheme.group(2) == null ? "" : scheme.group(2).toLowerCase(Locale.ROOT);
        if (topology.isEmpty()) return standalone(text, tls);
        var kind = topology.equals("-sentinel") ? Kind.SENTINEL : Kind.CLUSTER;
        var rest = text.substring(scheme.end());
        var slash = rest.indexOf('/');
        var authority = slash < 0 ? rest : rest.substring(0, slash);
        var path = slash < 0 ? "" : rest.substring(slash + 1);
        String user = null;
        String password = null;
        var at = authority.lastIndexOf('@');
        if (at >= 0) {
            var info = authority.substring(0, at);
            authority = authority.substring(at + 1);
            var colon = info.indexOf(':');
            if (colon < 0)
                throw new IllegalArgumentException("REDIS_URL " + redacted(url)
                        + ": put a colon before the password (user:password@ or :password@)");
            user = colon == 0 ? null : decode(info.substring(0, colon));
            password = decode(info.substring(colon + 1));
        }
        var nodes = nodes(authority, kind == Kind.SENTINEL ? DEFAULT_SENTINEL_PORT : DEFAULT_PORT, url);
        if (kind == Kind.CLUSTER) {
            if (!path.isEmpty())
                throw new IllegalArgumentException("REDIS_URL " + redacted(url) + ": a Cluster has no database or name "
                        + "after the hosts (it has only database 0)");
            return new RedisUrl(kind, tls, user, password, nodes, null, 0);
        }
        if (!MASTER.matcher(path).matches())
            throw new IllegalArgumentException("REDIS_URL " + redacted(url) + ": name the master after the Sentinels, "
                    + "as redis-sentinel://host:26379,host:26379/mymaster");
        return new RedisUrl(kind, tls, user, password, nodes, path, 0);
    }

    private static RedisUrl standalone(String url, boolean tls) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("REDIS_URL is not a URL: " + redacted(url) + "; " + EXPECTED);
        }
        if (uri.getHost() == null)
            throw new IllegalArgumentException("REDIS_URL has no host, or a port that is not a number: " + redacted(url));
        var path = uri.getPath();
        if (path != null && !path.isEmpty() && !path.equals("/") && !path.matches("/[0-9]{1,5}"))
            throw new IllegalArgumentException("REDIS_URL path must be a database number such as /0, not " + path);
        String user = null;
        String password = null;
        var info = uri.getRawUserInfo();
        if (info != null) {
            var colon = info.indexOf(':');
            if (colon < 0) password = decode(info); // redis://password@host, as Jedis reads it
            else {
                user = colon == 0 ? null : decode(info.substring(0, colon));
                password = decode(info.substring(colon + 1));
            }
        }
        int db = path == null || path.length() <= 1 ? 0 : Integer.parseInt(path.substring(1));
        var port = uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort();
        return new RedisUrl(Kind.STANDALONE, tls, user, password, List.of(new HostAndPort(uri.getHost(), port)), null, db);
    }

    private static List<HostAndPort> nodes(String authority, int defaultPort, String url) {
        var nodes = new ArrayList<HostAndPort>();
        for (var part : authority.split(",", -1)) {
            var node = part.strip();
            String host = node;
            int port = defaultPort;
            var colon = node.lastIndexOf(':');
            if (colon >= 0 && node.indexOf(']') < colon) {
                host = node.substring(0, colon);
                try {
                    port = Integer.parseInt(node.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            if (host.isEmpty() || port < 1 || port > 65535)
                throw new IllegalArgumentException("REDIS_URL " + redacted(url) + ": '" + node
                        + "' is not host:port with a port from 1 to 65535; " + EXPECTED);
            nodes.add(new HostAndPort(host, port));
        }
        return nodes;
    }

    private static String decode(String text) {
        // %XX escapes only: a '+' in a password is a plus.
        return java.net.URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /** The URL with any password replaced by {@code ***}, for logs and messages. */
    public static String redacted(String url) {
        if (url == null) return "null";
        return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^@/]*):([^/]*)@", "$1$2:***@")
                .replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)([^:@/]+)@", "$1***@");
    }

    /** Where this points, without a password: {@code redis-sentinel://h1:26379,h2:26379/mymaster}. */
    @Override
    public String toString() {
        var scheme = (tls ? "rediss" : "redis") + switch (kind) {
            case STANDALONE -> "";
            case SENTINEL -> "-sentinel";
            case CLUSTER -> "-cluster";
        };
        var who = password == null ? "" : (user == null ? "" : user) + ":***@";
        var hosts = String.join(",", nodes.stream().map(HostAndPort::toString).toList());
        var path = kind == Kind.SENTINEL ? "/" + master : database != 0 ? "/" + database : "";
        return scheme + "://" + who + hosts + path;
    }
}
