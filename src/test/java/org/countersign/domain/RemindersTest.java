package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.countersign.domain.EventType.REQUEST_ESCALATED;
import static org.countersign.domain.EventType.REQUEST_EXPIRY_WARNED;
import static org.countersign.domain.EventType.REQUEST_REMINDED;
import static org.countersign.domain.RequestBuilder.ID;
import static org.countersign.domain.RequestBuilder.OPENED;
import static org.countersign.domain.RequestBuilder.aRequest;
import static org.countersign.domain.TestPolicies.SRE1;

import java.time.Duration;
import java.time.Instant;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Unchanged;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** When a waiting request is reminded, escalated and its requester warned: the Workflow, with time as a parameter. */
class RemindersTest {
    /** Remind every 15 minutes, escalate after 30, warn 10 minutes before expiry; requests expire after 60. */
    static final Policy POLICY = TestPolicies.standard()
            .withReminders(new Reminders(minutes(15), minutes(30), minutes(10)));
    static final Workflow WORKFLOW = new Workflow(POLICY);

    private static Duration minutes(long m) { return Duration.ofMinutes(m); }

    private static Instant at(long minutes) { return OPENED.plus(minutes(minutes)); }

    private static EmergencyRequest pending() { return aRequest().withPolicy(POLICY).build(); }

    private static Applied remind(EmergencyRequest r, Instant now) {
        var outcome = WORKFLOW.apply(r, new Command.Remind(ID, aRequest().member(Actor.SYSTEM)), now);
        assertThat(outcome).isInstanceOf(Applied.class);
        return (Applied) outcome;
    }

    @Nested
    class Reminding {
        @Test
        void a_reminder_is_due_at_its_minute_and_not_a_minute_before() {
            var r = pending();

            assertThat(WORKFLOW.remindersDue(r, at(14))).isEmpty();
            assertThat(WORKFLOW.remindersDue(r, at(15).minusMillis(1))).isEmpty();
            assertThat(WORKFLOW.remindersDue(r, at(15))).containsExactly(REQUEST_REMINDED);
        }

        @Test
        void a_reminder_is_recorded_as_an_event_naming_the_teams_still_needed_and_is_then_no_longer_due() {
            var applied = remind(pending(), at(15));

            assertThat(applied.events()).extracting(Event::type, Event::detail, Event::actor, Event::version)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(REQUEST_REMINDED,
                            "still needs SRE and Release Engineering (waiting 15 min)", Actor.SYSTEM, 2L));
            assertThat(applied.request().state()).isEqualTo(State.PENDING);
            assertThat(applied.request().reminded().reminders()).isEqualTo(1);
            assertThat(WORKFLOW.remindersDue(applied.request(), at(15))).isEmpty();
            assertThat(WORKFLOW.apply(applied.request(), new Command.Remind(ID, aRequest().member(Actor.SYSTEM)), at(16)))
                    .isInstanceOf(Unchanged.class);
        }

        @Test
        void reminders_repeat_every_remind_after_while_the_request_is_pending() {
            var first = remind(pending(), at(15)).request();

            assertThat(WORKFLOW.remindersDue(first, at(29))).isEmpty();
            assertThat(WORKFLOW.remindersDue(first, at(30))).contains(REQUEST_REMINDED);
        }

        @Test
        void a_sweep_that_comes_late_sends_one_reminder_for_every_slot_it_missed() {
            var late = remind(pending(), at(47));

            assertThat(late.events()).extracting(Event::type).containsExactly(REQUEST_REMINDED, REQUEST_ESCALATED);
            assertThat(late.request().reminded().reminders()).isEqualTo(3);
            assertThat(WORKFLOW.remindersDue(late.request(), at(49))).isEmpty();
        }

        @Test
        void the_reminder_names_only_the_teams_still_short_of_their_quorum() {
            var r = aRequest().withPolicy(POLICY).approvedBy(SRE1, "sre").build();

            assertThat(remind(r, at(15)).events().get(0).detail())
                    .isEqualTo("still needs Release Engineering (waiting 15 min)");
        }

        @Test
        void nothing_is_reminded_once_approved_or_ended() {
            assertThat(WORKFLOW.remindersDue(aRequest().withPolicy(POLICY).approved().build(), at(15))).isEmpty();
            assertThat(WORKFLOW.remindersDue(aRequest().withPolicy(POLICY).rejectedBy(SRE1, "no").build(), at(15)))
                    .isEmpty();
            assertThat(WORKFLOW.remindersDue(aRequest().withPolicy(POLICY).cancelled().build(), at(45))).isEmpty();
            assertThat(WORKFLOW.remindersDue(aRequest().withPolicy(POLICY).deploying().build(), at(45))).isEmpty();
            assertThat(WORKFLOW.remindersDue(aRequest().withPolicy(POLICY).deployEnded(DeployResult.SUCCEEDED)
                    .closed().build(), at(45))).isEmpty();
        }

        @Test
        void nothing_is_due_at_or_after_the_expiry_the_expiry_sweeper_owns_that_moment() {
            var r = pending();

            assertThat(WORKFLOW.remindersDue(r, at(60))).isEmpty();
            assertThat(WORKFLOW.remindersDue(aRequest().withPolicy(POLICY).expired().build(), at(75))).isEmpty();
        }

        @Test
        void a_policy_without_reminders_never_has_anything_due() {
            var plain = new Workflow(TestPolicies.standard());
            var r = aRequest().build();

            assertThat(plain.remindersDue(r, at(15))).isEmpty();
            assertThat(plain.remindersDue(r, at(55))).isEmpty();
        }
    }

    @Nested
    class Escalating {
        @Test
        void the_escalation_is_due_once_at_escalate_after_and_not_a_second_before() {
            var reminded = remind(pending(), at(15)).request();

            assertThat(WORKFLOW.remindersDue(reminded, at(30).minusSeconds(1))).isEmpty();
            var escalated = remind(reminded, at(30));
            assertThat(escalated.events()).extracting(Event::type).containsExactly(REQUEST_REMINDED, REQUEST_ESCALATED);
            assertThat(escalated.events().get(1).detail()).isEqualTo("still needs SRE and Release Engineering after 30 min");
            assertThat(escalated.request().reminded().escalated()).isEqualTo(at(30));
            assertThat(WORKFLOW.remindersDue(escalated.request(), at(44))).isEmpty();
            assertThat(WORKFLOW.remindersDue(escalated.request(), at(45))).containsExactly(REQUEST_REMINDED);
        }

        @Test
        void an_approved_request_is_not_escalated() {
            assertThat(WORKFLOW.remindersDue(aRequest().withPolicy(POLICY).approved().build(), at(31)))
                    .doesNotContain(REQUEST_ESCALATED);
        }
    }

    @Nested
    class WarningBeforeExpiry {
        @Test
        void the_requester_is_warned_warn_before_expiry_ahead_of_it_and_not_a_minute_before() {
            var r = remind(remind(pending(), at(15)).request(), at(45)).request();

            assertThat(WORKFLOW.remindersDue(r, at(49))).isEmpty();
            var warned = remind(r, at(50));
            assertThat(warned.events()).extracting(Event::type).containsExactly(REQUEST_EXPIRY_WARNED);
            assertThat(warned.events().get(0).detail()).isEqualTo("EMG-1 expires at 2025-03-01 11:00 UTC (in 10 min) "
                    + "unless SRE and Release Engineering approve it; cancel it if it is no longer needed");
            assertThat(warned.request().reminded().expiryWarnedFor()).isEqualTo(at(60));
            assertThat(WORKFLOW.remindersDue(warned.request(), at(59))).isEmpty();
        }

        @Test
        void an_approved_request_whose_deploy_has_not_started_is_warned_before_its_approvals_go_stale() {
            var r = aRequest().withPolicy(POLICY).approved().build(); // approved at 10:02, valid for 2 h
            var staleAt = at(2).plus(Duration.ofHours(2));

            assertThat(WORKFLOW.remindersDue(r, staleAt.minus(minutes(11)))).isEmpty();
            var warned = remind(r, staleAt.minus(minutes(10)));
            assertThat(warned.events().get(0).detail()).isEqualTo("The approvals of EMG-1 expire at 2025-03-01 12:02 UTC "
                    + "(in 10 min) unless its deploy starts; start it, or open a new request later");
            assertThat(warned.request().state()).isEqualTo(State.APPROVED);
            assertThat(WORKFLOW.remindersDue(warned.request(), staleAt.minus(minutes(1)))).isEmpty();
        }

        @Test
        void a_request_whose_deploy_started_or_that_ended_is_not_warned() {
            assertThat(WORKFLOW.remindersDue(aRequest().withPolicy(POLICY).deploying().build(), at(115))).isEmpty();
            assertThat(WORKFLOW.remindersDue(aRequest().withPolicy(POLICY).cancelled().build(), at(55))).isEmpty();
        }
    }

    @Nested
    class PolicyChecks {
        @Test
        void durations_must_be_positive_and_reminders_and_escalation_shorter_than_expire_after() {
            assertThatThrownBy(() -> TestPolicies.standard().withReminders(new Reminders(Duration.ZERO, minutes(60),
                    minutes(90))))
                    .isInstanceOf(Policy.InvalidPolicy.class)
                    .satisfies(e -> assertThat(((Policy.InvalidPolicy) e).problems()).containsExactly(
                            "remind-after must be a positive duration such as 15m, not PT0S",
                            "escalate-after (PT1H) must be shorter than expire-after (PT1H), or nobody is ever paged",
                            "warn-before-expiry (PT1H30M) must be shorter than expire-after (PT1H), or the warning comes "
                                    + "as the request opens"));
        }

        @Test
        void reminders_are_kept_on_the_policy_through_its_other_settings() {
            var policy = POLICY.withMatrixMailDomains(java.util.Map.of("example.org", "example.org"));

            assertThat(policy.reminders()).isEqualTo(new Reminders(minutes(15), minutes(30), minutes(10)));
            assertThat(TestPolicies.standard().reminders()).isEqualTo(Reminders.NONE);
        }
    }
}
