package org.countersign.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.countersign.domain.Actor;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;

/**
 * The people one may act as in the local console: every team's {@code console-users}, then everyone linked under
 * {@code people:} with a console account (the example's developer, who is in no team, is only there).
 */
public final class ConsolePeople {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private ConsolePeople() {}

    /** The console names in {@code policy} and in the {@code people:} of its file (the packaged example when empty). */
    public static List<String> of(Policy policy, Optional<Path> policyFile) {
        var names = new LinkedHashSet<String>();
        for (var team : policy.teams().values())
            team.members().stream().filter(a -> a.platform() == Platform.CONSOLE).map(Actor::id).sorted()
                    .forEach(names::add);
        names.addAll(linked(policyFile));
        return List.copyOf(names);
    }

    /** Console accounts under {@code people:}. The file was checked when the policy was loaded; anything odd is skipped. */
    static Set<String> linked(Optional<Path> policyFile) {
        var names = new LinkedHashSet<String>();
        JsonNode root;
        try (InputStream in = policyFile.isPresent() ? Files.newInputStream(policyFile.get())
                : ConsolePeople.class.getResourceAsStream("/policy.example.yml")) {
            if (in == null) return names;
            root = new YAMLMapper().readTree(in);
        } catch (IOException | RuntimeException e) {
            return names;
        }
        if (root == null) return names;
        root.path("people").forEach(person -> {
            var console = person.path("console");
            var values = new ArrayList<JsonNode>();
            if (console.isArray()) console.forEach(values::add);
            else values.add(console);
            values.stream().filter(JsonNode::isTextual).map(JsonNode::asText)
                    .filter(n -> NAME.matcher(n).matches()).forEach(names::add);
        });
        return names;
    }

    /** What the picker says about a person: their teams, or that they are in none. */
    static String describe(Policy policy, String name) {
        var teams = policy.listedTeamsOf(new Actor(Platform.CONSOLE, name)).stream().map(policy::teamLabel).toList();
        return teams.isEmpty() ? "in no team" : String.join(", ", teams);
    }
}
