package org.countersign.web;

import java.util.Optional;

/** Whether the service can do its work now; the problem, said plainly, when not. */
@FunctionalInterface
public interface Readiness {
    Optional<String> problem();
}
