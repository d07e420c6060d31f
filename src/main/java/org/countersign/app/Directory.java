package org.countersign.app;

import org.countersign.domain.Actor;
import org.countersign.domain.Member;

/** Who an account is: the person behind it and the teams they are in, as of now. */
public interface Directory {
    Member resolve(Actor actor);
}
