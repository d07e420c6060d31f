package org.countersign.web;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Whether the service can do its work now; the problem, said plainly, when not. */
@FunctionalInterface
public interface Readiness {
    Optional<String> problem();

    /** What works only in part now (a security room that is not private), said plainly; the service stays ready. */
    default List<String> warnings() { return List.of(); }

    /** {@code base}, with these warnings. */
    static Readiness warning(Readiness base, Supplier<List<String>> warnings) {
        return new Readiness() {
            @Override
            public Optional<String> problem() { return base.problem(); }

            @Override
            public List<String> warnings() { return warnings.get(); }
        };
    }
}
