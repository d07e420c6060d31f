package org.countersign.web;

import static org.countersign.web.Html.esc;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

/** The sign-in page of the dashboard: the identity provider's button, the dashboard token's field, or both. */
final class SignIn {
    private SignIn() {}

    static void page(Context ctx, Access access, String problem) {
        if (!access.required()) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        var next = Access.localPath(ctx.queryParam("next") != null ? ctx.queryParam("next") : ctx.formParam("next"));
        var html = new StringBuilder("<main class=\"signin\"><h1>Sign in</h1>");
        if (problem != null) html.append("<p class=\"notice error\" role=\"alert\">").append(esc(problem)).append("</p>");
        if (access.signInOn())
            html.append("<p><a class=\"btn primary\" href=\"").append(OidcSignIn.START).append("?next=")
                    .append(esc(java.net.URLEncoder.encode(next, java.nio.charset.StandardCharsets.UTF_8)))
                    .append("\">Sign in with your organisation's account</a></p>")
                    .append("<p class=\"hint\">You act as the person the policy names for your account.</p>");
        if (access.tokenOn())
            html.append("<form method=\"post\" action=\"/signin\">")
                    .append("<label for=\"token\">Dashboard token</label>")
                    .append("<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" required")
                    .append(access.signInOn() ? "" : " autofocus").append(">")
                    .append("<input type=\"hidden\" name=\"next\" value=\"").append(esc(next)).append("\">")
                    .append("<button class=\"btn").append(access.signInOn() ? "" : " primary").append("\" type=\"submit\">")
                    .append("Sign in with the token</button>")
                    .append("<p class=\"hint\">").append(access.startup() ? "The token is the one in the link "
                            + "Countersign printed when it started (…/console?token=…); opening that link signs you in too."
                            : "The token is the DASHBOARD_TOKEN this Countersign was started with; it shows requests but "
                            + "names nobody, so it does not approve.").append("</p></form>");
        if (ctx.cookie(Sessions.COOKIE) != null || ctx.cookie(Access.SESSION_COOKIE) != null)
            html.append("<form method=\"post\" action=\"/signout\"><button class=\"btn\" type=\"submit\">Sign out</button></form>");
        var body = html.append("</main>").toString();
        ctx.html(Html.page("Sign in", "signin", false, body, null));
    }

    static void submit(Context ctx, Access access) {
        if (!access.required()) {
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        var token = ctx.formParam("token");
        if (!access.tokenOn()) {
            ctx.status(HttpStatus.BAD_REQUEST);
            page(ctx, access, "This Countersign has no dashboard token; sign in with your organisation's account.");
            return;
        }
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
