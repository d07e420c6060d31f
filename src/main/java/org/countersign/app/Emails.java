package org.countersign.app;

import java.util.Optional;
import org.countersign.domain.Actor;

/** The verified mail address of a chat account, as its platform vouches for it (a Slack profile's confirmed email). */
public interface Emails {
    /** The address, or empty when the platform does not vouch for one (or cannot be asked now). */
    Optional<String> verifiedEmail(Actor actor);

    /** A platform that vouches for none. */
    Emails NONE = actor -> Optional.empty();
}
