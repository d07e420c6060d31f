package org.countersign;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.countersign.domain.Policy.InvalidPolicy;

/**
 * The problems found in one policy file, each as {@code file: where: what}, and the reading of single values
 * that adds one when a value is not what it should be (the reader then carries on, to list every problem).
 */
final class PolicyProblems {
    private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    private final String source;
    private final List<String> problems = new ArrayList<>();

    PolicyProblems(String source) {
        this.source = source;
    }

    /** A problem at {@code where}, a path in the file such as {@code teams.sre.label}. */
    void add(String where, String what) { problems.add(source + ": " + where + ": " + what); }

    /** A problem of the file as a whole, or one {@code Policy.of} found (it says its own where). */
    void addToFile(String what) { problems.add(source + ": " + what); }

    int count() { return problems.size(); }

    boolean none() { return problems.isEmpty(); }

    /** Every problem so far, in the order found. */
    InvalidPolicy invalid() { return new InvalidPolicy(problems); }

    String text(JsonNode node, String where) {
        if (node.isTextual() && !node.textValue().isBlank()) return node.textValue().strip();
        add(where, node.isTextual() ? "must not be empty" : "must be text, not " + show(node)
                + (node.isValueNode() ? " (put it in quotes)" : ""));
        return null;
    }

    Integer integer(JsonNode node, String where) {
        if (node.isIntegralNumber() && node.canConvertToInt()) return node.intValue();
        add(where, "must be a number, not " + show(node));
        return null;
    }

    Duration duration(JsonNode node, String where) {
        var d = node.isTextual() ? Durations.parse(node.textValue()) : Optional.<Duration>empty();
        if (d.isPresent()) return d.get();
        add(where, "must be " + Durations.EXPECTED + ", not " + show(node));
        return null;
    }

    /** A true or false such as {@code confidential}; false when it is left out or is something else. */
    boolean flag(JsonNode node, String where) {
        if (node == null || node.isNull()) return false;
        if (node.isBoolean()) return node.booleanValue();
        add(where, "must be true or false, not " + show(node));
        return false;
    }

    List<String> list(JsonNode node, String where) {
        if (!node.isArray()) {
            add(where, "must be a list such as [a, b], not " + show(node));
            return List.of();
        }
        var result = new ArrayList<String>();
        for (int i = 0; i < node.size(); i++) {
            var s = text(node.get(i), where + "[" + i + "]");
            if (s != null) result.add(s);
        }
        return result;
    }

    /** Whether {@code name} may be a key of a team, a reason or a webhook. */
    static boolean isKey(String name) { return KEY.matcher(name).matches(); }

    void key(String key, String where) {
        if (!isKey(key)) add(where, "a key is lower-case letters, digits, dashes and underscores");
    }

    void unknownKeys(JsonNode map, String prefix, List<String> known) {
        map.fieldNames().forEachRemaining(k -> {
            if (!known.contains(k)) add(prefix + k, "unknown key (known: " + String.join(", ", known) + ")");
        });
    }

    /** A value as a problem quotes it. */
    static String show(JsonNode node) {
        if (node.isTextual()) return "'" + node.textValue() + "'";
        if (node.isArray()) return "a list";
        if (node.isObject()) return "a map";
        if (node.isNull()) return "nothing";
        return node.asText();
    }
    /**
     * Whether {@code section} is a map to read; else says so, and says it is missing when {@code missing} tells
     * what to write there (null: it may be left out).
     */
    boolean isMap(JsonNode node, String section, String missing, String entries) {
        if (node == null || node.isNull()) {
            if (missing != null) add(section, "missing: " + missing);
            return false;
        }
        if (!node.isObject()) {
            add(section, "must be a map of " + entries + ", not " + show(node));
            return false;
        }
        return true;
    }

}
