package org.countersign.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When a request that waits is chased, as the policy says; each is off when null.
 *
 * @param remindAfter      a pending request's thread is told which teams it still needs this long after it opened,
 *                         and again every {@code remindAfter} while it is pending
 * @param escalateAfter    a request still pending this long after it opened pages the on-call, once
 * @param warnBeforeExpiry the requester is told this long before the request expires (a pending request for want
 *                         of approvals, an approved one when its approvals go stale)
 */
public record Reminders(Duration remindAfter, Duration escalateAfter, Duration warnBeforeExpiry) {
    public static final Reminders NONE = new Reminders(null, null, null);

    /** A wait as people say it: {@code 40 s}, {@code 15 min}, {@code 2 h 5 min}. */
    public static String spoken(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) return s + " s";
        long m = s / 60;
        return m < 60 ? m + " min" : (m / 60) + " h" + (m % 60 == 0 ? "" : " " + m % 60 + " min");
    }

    /** Whether any of the three is on. */
    public boolean any() { return remindAfter != null || escalateAfter != null || warnBeforeExpiry != null; }

    List<String> problems(Duration expireAfter) {
        var problems = new ArrayList<String>();
        check(problems, "remind-after", remindAfter, "15m");
        check(problems, "escalate-after", escalateAfter, "30m");
        check(problems, "warn-before-expiry", warnBeforeExpiry, "10m");
        if (expireAfter != null && positive(remindAfter) && remindAfter.compareTo(expireAfter) >= 0)
            problems.add("remind-after (" + remindAfter + ") must be shorter than expire-after (" + expireAfter
                    + "), or no reminder is ever sent");
        if (expireAfter != null && positive(escalateAfter) && escalateAfter.compareTo(expireAfter) >= 0)
            problems.add("escalate-after (" + escalateAfter + ") must be shorter than expire-after (" + expireAfter
                    + "), or nobody is ever paged");
        if (expireAfter != null && positive(warnBeforeExpiry) && warnBeforeExpiry.compareTo(expireAfter) >= 0)
            problems.add("warn-before-expiry (" + warnBeforeExpiry + ") must be shorter than expire-after ("
                    + expireAfter + "), or the warning comes as the request opens");
        return problems;
    }

    private static void check(List<String> problems, String key, Duration d, String example) {
        if (d != null && !positive(d)) problems.add(key + " must be a positive duration such as " + example + ", not " + d);
    }

    private static boolean positive(Duration d) { return d != null && !d.isNegative() && !d.isZero(); }
}
