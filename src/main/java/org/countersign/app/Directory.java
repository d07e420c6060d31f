package org.countersign.app;

import java.util.Map;
import org.countersign.domain.Actor;
import org.countersign.domain.Member;

/** Who an account is: the person behind it and the teams they are in, as of now. */
public interface Directory {
    Member resolve(Actor actor);

    /**
     * The teams this account may be in but whose membership cannot be checked now (a source of members has not
     * answered), each with why; {@link #resolve} leaves them out. Empty when every source answered.
     */
    default Map<String, String> unchecked(Actor actor) { return Map.of(); }
}
