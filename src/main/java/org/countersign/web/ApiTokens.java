package org.countersign.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Named API tokens for scripts and pipelines: {@code Authorization: Bearer <token>} acts as {@code api:<name>}, so the
 * timeline says which pipeline acted. Countersign keeps only each token's SHA-256 ({@code name sha256:<hex>}); a
 * presented token is hashed and compared with every entry in constant time.
 */
public final class ApiTokens {
    public static final ApiTokens NONE = new ApiTokens(Map.of());
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern HASH = Pattern.compile("sha256:([0-9a-fA-F]{64})");
    private static final String FORM = "name:sha256:<64 hex digits of SHA-256 of the token> (hash a token with "
            + "printf %s \"$TOKEN\" | sha256sum)";

    private final Map<String, byte[]> hashes;

    private ApiTokens(Map<String, byte[]> hashes) { this.hashes = Map.copyOf(hashes); }

    /** Reads API_TOKENS ({@code name:sha256:hex,...}) and API_TOKENS_FILE (one {@code name sha256:hex} a line). */
    static ApiTokens read(String inline, String file, List<String> problems) {
        var entries = new LinkedHashMap<String, byte[]>();
        if (inline != null)
            for (var item : inline.split(",")) {
                var entry = item.strip();
                if (entry.isEmpty()) continue;
                int colon = entry.indexOf(':');
                add(entries, colon < 0 ? entry : entry.substring(0, colon), colon < 0 ? "" : entry.substring(colon + 1),
                        "API_TOKENS entry " + shown(colon < 0 ? "" : entry.substring(0, colon)), problems);
            }
        if (file != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            } catch (IOException | RuntimeException e) {
                problems.add("API_TOKENS_FILE='" + file + "' cannot be read (" + e.getClass().getSimpleName()
                        + "); expected a file with one 'name sha256:<hex>' a line");
                lines = List.of();
            }
            for (int i = 0; i < lines.size(); i++) {
                var line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                var parts = line.split("\\s+");
                add(entries, parts[0], parts.length == 2 ? parts[1] : "",
                        "API_TOKENS_FILE line " + (i + 1) + " (" + shown(parts[0]) + ")", problems);
            }
        }
        return entries.isEmpty() ? NONE : new ApiTokens(entries);
    }

    private static void add(Map<String, byte[]> entries, String name, String hash, String where, List<String> problems) {
        var m = HASH.matcher(hash);
        if (!NAME.matcher(name).matches())
            problems.add(where + ": the name is lower-case letters, digits, . _ - (such as deploy-bot); expected " + FORM);
        else if (!m.matches())
            problems.add(where + ": expected " + FORM + "; never put the token itself here");
        else if (entries.putIfAbsent(name, HexFormat.of().parseHex(m.group(1).toLowerCase(java.util.Locale.ROOT))) != null)
            problems.add(where + ": the name " + name + " is used twice; each pipeline gets a name of its own");
    }

    /** An entry by its name only: a token pasted by mistake is never repeated in a message. */
    private static String shown(String name) {
        var clean = name.length() > 64 ? name.substring(0, 64) + "…" : name;
        return clean.isEmpty() ? "(no name)" : "'" + clean.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    public boolean isEmpty() { return hashes.isEmpty(); }

    /** The name of the token presented, if it is one of ours. */
    Optional<String> nameOf(String presented) {
        if (presented == null || presented.isEmpty() || hashes.isEmpty()) return Optional.empty();
        var digest = sha256(presented);
        String found = null;
        for (var e : hashes.entrySet()) // every entry, so the time taken says nothing about which matched
            if (MessageDigest.isEqual(digest, e.getValue()) && found == null) found = e.getKey();
        return Optional.ofNullable(found);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() { return "ApiTokens" + new ArrayList<>(hashes.keySet()); }
}
