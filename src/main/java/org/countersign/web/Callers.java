package org.countersign.web;

import io.javalin.http.Context;
import java.util.Optional;
import java.util.function.Function;
import org.countersign.domain.Actor;
import org.countersign.domain.Disclosure;
import org.countersign.domain.Member;
import org.countersign.domain.Platform;

/**
 * Who is calling, when it is someone who can answer for an action: a person signed in through the identity provider
 * (acting as {@code web:<person>}), or a script with a named API token ({@code api:<name>}). The dashboard token opens
 * the pages but names nobody, so it is not a caller here.
 */
final class Callers {
    static final Callers NONE = new Callers(null, ApiTokens.NONE);
    private static final String ATTRIBUTE = "countersign.caller";

    /** How the caller proved who they are. */
    enum Proof { SESSION, API_TOKEN }

    /** A caller and, for a session, its id (to end it). */
    record Caller(Actor actor, Proof proof, String sessionId) {
        boolean isPerson() { return actor.platform() == Platform.WEB; }
    }

    private final Sessions sessions;
    private final ApiTokens tokens;

    Callers(Sessions sessions, ApiTokens tokens) {
        this.sessions = sessions;
        this.tokens = tokens;
    }

    /** Whether people sign in with the identity provider. */
    boolean signInOn() { return sessions != null; }

    /** The caller of this request, worked out once per request. */
    Optional<Caller> of(Context ctx) {
        if (ctx.attribute(ATTRIBUTE) instanceof Optional<?> known) return known.map(Caller.class::cast);
        var caller = bearer(ctx).flatMap(tokens::nameOf)
                .map(name -> new Caller(new Actor(Platform.API, name), Proof.API_TOKEN, null))
                .or(() -> sessions == null ? Optional.empty() : sessions.current(ctx));
        ctx.attribute(ATTRIBUTE, caller);
        return caller;
    }

    /** A person signed in through the identity provider, if this request comes from one. */
    Optional<Caller> person(Context ctx) { return of(ctx).filter(Caller::isPerson); }

    /**
     * Who reads this answer, for the disclosure rule: the caller as the member they are (a signed-in person, or the
     * pipeline behind a named token), else anyone (the dashboard token and the start-up link name nobody).
     */
    Disclosure.Audience audience(Context ctx, Function<Actor, Member> members) {
        return of(ctx).<Disclosure.Audience>map(c -> new Disclosure.Audience.Person(members.apply(c.actor())))
                .orElseGet(Disclosure.Audience.Anyone::new);
    }

    static Optional<String> bearer(Context ctx) {
        var auth = ctx.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) return Optional.empty();
        return Optional.of(auth.substring(7).strip());
    }
}
