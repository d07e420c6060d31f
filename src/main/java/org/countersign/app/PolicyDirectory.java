package org.countersign.app;

import org.countersign.domain.Actor;
import org.countersign.domain.Member;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;

/** Team membership as the policy file lists it. */
public final class PolicyDirectory implements Directory {
    private final Policy policy;

    public PolicyDirectory(Policy policy) { this.policy = policy; }

    @Override
    public Member resolve(Actor actor) {
        if (actor.platform() == Platform.SYSTEM || actor.platform() == Platform.WEBHOOK)
            return Member.outsider(actor);
        return new Member(actor, policy.personOf(actor), policy.listedTeamsOf(actor));
    }
}
