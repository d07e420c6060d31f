package org.countersign.app;

import org.countersign.domain.Actor;
import org.countersign.domain.Member;
import org.countersign.domain.Platform;
import org.countersign.domain.Policy;

/**
 * Who an account is: the person the policy links it to; else the person its verified mail address names (a
 * {@code people:} entry with that email, or the address itself, which ties together every account vouched for with
 * it); else only the account. Teams are those the policy lists for any of the person's accounts.
 */
public final class PolicyDirectory implements Directory {
    private final Policy policy;
    private final Emails emails;

    public PolicyDirectory(Policy policy) { this(policy, Emails.NONE); }

    public PolicyDirectory(Policy policy, Emails emails) {
        this.policy = policy;
        this.emails = emails;
    }

    @Override
    public Member resolve(Actor actor) {
        if (actor.platform() == Platform.SYSTEM || actor.platform() == Platform.WEBHOOK
                || actor.platform() == Platform.API)
            return Member.outsider(actor);
        // Signed in on the web: sign-in already tied the provider's subject or verified email to this policy person.
        if (actor.platform() == Platform.WEB)
            return policy.accountsOfPerson(actor.id()).isEmpty() ? Member.outsider(actor)
                    : new Member(actor, actor.id(), policy.listedTeamsOf(actor.id(), actor));
        var person = policy.linkedPerson(actor)
                .or(() -> policy.mailOf(actor).or(() -> emails.verifiedEmail(actor).map(Policy::email))
                        .map(policy::personOf))
                .orElse(actor.toString());
        return new Member(actor, person, policy.listedTeamsOf(person, actor));
    }
}
