package org.countersign.web;

import static org.countersign.web.Html.esc;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/** The sign-in page of the dashboard: one field, the dashboard token (or this run's start-up token). */
final class SignIn {
    private SignIn() {}

    static void page(Context ctx, Access access, String problem) {
        if (!access.required()) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        var next = Access.localPath(ctx.queryParam("next") != null ? ctx.queryParam("next") : ctx.formParam("next"));
        var body = "<main class=\"signin\"><h1>Sign in</h1><form method=\"post\" action=\"/signin\">"
                + (problem == null ? "" : "<p class=\"notice error\" role=\"alert\">" + esc(problem) + "</p>")
                + "<label for=\"token\">Dashboard token</label>"
                + "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required autofocus>"
                + "<input type=\"hidden\" name=\"next\" value=\"" + esc(next) + "\">"
                + "<button class=\"btn primary\" type=\"submit\">Sign in</button>"
                + "<p class=\"hint\">" + (access.startup() ? "The token is the one in the link Countersign printed "
                        + "when it started (…/console?token=…); opening that link signs you in too."
                        : "The token is the DASHBOARD_TOKEN this Countersign was started with.") + "</p>"
                + "</form></main>";
        ctx.html(Html.page("Sign in", "signin", false, body, null));
    }

    static void submit(Context ctx, Access access) {
        if (!access.required()) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        var token = ctx.formParam("token");
        if (!access.matches(token == null ? null : token.strip())) {
            ctx.status(HttpStatus.UNAUTHORIZED);
            page(ctx, access, "That is not the dashboard token.");
            return;
        }
        access.signIn(ctx);
        ctx.redirect(Access.localPath(ctx.formParam("next")), HttpStatus.SEE_OTHER);
    }

    static void signOut(Context ctx, Access access) {
        access.signOut(ctx);
        ctx.redirect(access.required() ? "/signin" : "/", HttpStatus.SEE_OTHER);
    }
}
