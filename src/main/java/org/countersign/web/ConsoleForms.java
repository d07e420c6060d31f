package org.countersign.web;

import static org.countersign.web.Html.esc;

import java.util.List;
import java.util.stream.Collectors;
import org.countersign.chat.FormWords;
import org.countersign.domain.Draft;
import org.countersign.domain.Policy;

/**
 * The console's dialogs: the request form (the same fields as Slack's), the reason or note form, and the form that
 * edits a request's changes.
 */
final class ConsoleForms {
    private ConsoleForms() {}

    static String request(Policy policy, List<String> people) {
        var f = new StringBuilder();
        f.append("<dialog id=\"request-form\" class=\"modal\" aria-labelledby=\"request-form-title\">")
                .append("<form method=\"dialog\" novalidate><h2 id=\"request-form-title\">Emergency deploy</h2>")
                .append("<p class=\"hint\" id=\"windows-standing\"></p>")
                .append("<p class=\"error\" id=\"f-form-error\" tabindex=\"-1\" data-error-for=\"_form\"></p>");
        f.append(field("reason", "Reason", null, "<select id=\"f-reason\" name=\"reason\"><option value=\"\">" + esc(FormWords.REASON_PLACEHOLDER) + "</option>" + policy.reasons().values().stream().map(r -> "<option value=\""
                + esc(r.key()) + "\">" + esc(r.label()) + "</option>").collect(Collectors.joining()) + "</select>"));
        f.append(field("summary", "Summary", "One line, up to " + Draft.SUMMARY_MAX + " characters",
                "<input id=\"f-summary\" name=\"summary\" type=\"text\" placeholder=\"" + esc(FormWords.SUMMARY_PLACEHOLDER) + "\">"));
        f.append(field("changes", "Changes", FormWords.CHANGES_HINT,
                "<textarea id=\"f-changes\" name=\"changes\" rows=\"3\" placeholder=\"https://gerrit.example.org/r/c/"
                        + "operations/+/123456\"></textarea>"));
        f.append(field("task", "Task (optional)", null, "<input id=\"f-task\" name=\"task\" type=\"text\" "
                + "placeholder=\"" + esc(FormWords.TASK_PLACEHOLDER) + "\">"));
        // Two radios are one question: a fieldset whose legend asks it, each radio with its own label.
        f.append("<fieldset class=\"field\" data-field=\"rollback\" aria-describedby=\"f-rollback-error\">")
                .append("<legend>").append(esc(FormWords.ROLLBACK_QUESTION)).append("</legend>")
                .append("<label class=\"choice\"><input type=\"radio\" name=\"rollback\" value=\"yes\" id=\"f-rollback-yes\">")
                .append(" ").append(esc(FormWords.ROLLBACK_YES)).append("</label>")
                .append("<label class=\"choice\"><input type=\"radio\" name=\"rollback\" value=\"no\" id=\"f-rollback-no\">")
                .append(" ").append(esc(FormWords.ROLLBACK_NO)).append("</label>")
                .append("<p class=\"error\" id=\"f-rollback-error\" data-error-for=\"rollback\"></p></fieldset>");
        f.append(field("why_not_rollback", FormWords.WHY_NOT_ROLLBACK, FormWords.WHY_NOT_ROLLBACK_HINT,
                "<textarea id=\"f-why_not_rollback\" name=\"why_not_rollback\" rows=\"2\"></textarea>"));
        f.append(field("deployer", "Deployer (optional)", FormWords.DEPLOYER_HINT,
                "<select id=\"f-deployer\" name=\"deployer\"><option value=\"\">Pick a person</option>"
                        + people.stream().map(p -> "<option value=\"" + esc(p) + "\">" + esc(p) + "</option>")
                        .collect(Collectors.joining()) + "</select>"));
        f.append(field("details", "Details (optional)", null, "<textarea id=\"f-details\" name=\"details\" rows=\"3\" "
                + "placeholder=\"" + esc(FormWords.DETAILS_PLACEHOLDER) + "\"></textarea>"));
        f.append("<p class=\"advice\"><strong>Rollback first, fix later.</strong> Availability comes before new features. ")
                .append("Make on-wiki edits rarely, and only with this sign-off.</p>")
                .append("<div class=\"actions\"><button type=\"button\" class=\"btn\" value=\"cancel\" data-close>Cancel")
                .append("</button><button type=\"submit\" class=\"btn primary\" id=\"open-request\">Open request</button>")
                .append("</div></form></dialog>");
        return f.toString();
    }

    /**
     * A labelled field whose control ({@code input}, with the id {@code f-<name>}) is described by its hint and its error,
     * so a screen reader reads the problem with the field; the page sets aria-invalid on it while it has one.
     */
    private static String field(String name, String label, String hint, String input) {
        var id = "f-" + name;
        var describedBy = (hint == null ? "" : id + "-hint ") + id + "-error";
        var control = input.replaceFirst(" id=\"" + id + "\"", " id=\"" + id + "\" aria-describedby=\"" + describedBy + "\"");
        if (control.equals(input)) throw new IllegalArgumentException("no control with id " + id + " in " + input);
        return "<div class=\"field\" data-field=\"" + name + "\"><label for=\"" + id + "\">" + esc(label) + "</label>"
                + control + (hint == null ? "" : "<small class=\"hint\" id=\"" + id + "-hint\">" + esc(hint) + "</small>")
                + "<p class=\"error\" id=\"" + id + "-error\" data-error-for=\"" + name + "\"></p></div>";
    }

    static String note() {
        return "<dialog id=\"note-form\" class=\"modal\" aria-labelledby=\"note-form-title\"><form method=\"dialog\" "
                + "novalidate><h2 id=\"note-form-title\">Reject request</h2><p class=\"intro\"></p>"
                + "<div class=\"field\" data-field=\"note\"><label for=\"f-note\">" + esc(FormWords.REJECT_QUESTION) + "</label>"
                + "<textarea id=\"f-note\" name=\"note\" rows=\"3\" aria-describedby=\"f-note-error\"></textarea>"
                + "<p class=\"error\" id=\"f-note-error\" data-error-for=\"note\"></p></div><div class=\"actions\"><button type=\"button\" class=\"btn\" data-close>Cancel</button>"
                + "<button type=\"submit\" class=\"btn danger\" id=\"note-submit\">Reject</button></div></form></dialog>";
    }
    /** Filled in by the page with the current changes, once the server said the person may edit them. */
    static String edit() {
        return "<dialog id=\"edit-form\" class=\"modal\" aria-labelledby=\"edit-form-title\"><form method=\"dialog\" "
                + "novalidate><h2 id=\"edit-form-title\">Edit changes</h2><p class=\"intro\">Saving clears its approvals, "
                + "so every team approves again.</p><div class=\"field\" data-field=\"changes\"><label "
                + "for=\"f-edit-changes\">Changes</label><textarea id=\"f-edit-changes\" name=\"changes\" rows=\"4\" "
                + "aria-describedby=\"f-edit-changes-hint f-edit-changes-error\"></textarea><small class=\"hint\" "
                + "id=\"f-edit-changes-hint\">One per line: a URL, a change number, a commit or an artifact digest "
                + "(sha256:…)</small><p class=\"error\" id=\"f-edit-changes-error\" data-error-for=\"changes\"></p></div><div class=\"actions\">"
                + "<button type=\"button\" class=\"btn\" data-close>Cancel</button><button type=\"submit\" "
                + "class=\"btn primary\" id=\"edit-submit\">Save changes</button></div></form></dialog>";
    }
}
