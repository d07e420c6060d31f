package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.countersign.domain.Outcome.Refusal.INVALID;
import static org.countersign.domain.Outcome.Refusal.NOT_ALLOWED;
import static org.countersign.domain.Outcome.Refusal.WRONG_STATE;
import static org.countersign.domain.RequestBuilder.ID;
import static org.countersign.domain.RequestBuilder.OPENED;
import static org.countersign.domain.RequestBuilder.aRequest;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.GLASS_REASON;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.domain.TestPolicies.SRE1_MATRIX;
import static org.countersign.domain.TestPolicies.SRE2;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.countersign.app.PolicyDirectory;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refusal;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Unchanged;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AftercareTest {
    static final Instant LATER = OPENED.plus(Duration.ofMinutes(30));
    static final Policy POLICY = TestPolicies.withAftercare();
    static final Workflow WORKFLOW = new Workflow(POLICY);

    @Nested
    class BreakingTheGlass {
        @Test
        void a_listed_person_approves_a_pending_request_without_its_quorum_marked_with_who_why_and_when() {
            var r = aRequest().withPolicy(POLICY).build();

            var applied = applied(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1), "  " + GLASS_REASON + " "),
                    LATER));

            assertThat(applied.request().state()).isEqualTo(State.APPROVED);
            assertThat(applied.request().breakGlass()).isEqualTo(new BreakGlass(SRE1, "sre1", GLASS_REASON, LATER));
            assertThat(applied.request().approvalsValidUntil()).isEqualTo(LATER.plus(POLICY.approvalValidFor()));
            assertThat(applied.events()).extracting(Event::type, Event::detail).containsExactly(
                    tuple(EventType.REQUEST_BREAK_GLASS, GLASS_REASON), tuple(EventType.REQUEST_APPROVED, "break-glass"));
            assertThat(applied.message()).contains("without SRE and Release Engineering").contains("reviewed afterwards");
        }

        @Test
        void a_listed_person_may_break_the_glass_from_another_of_their_linked_accounts() {
            var r = aRequest().withPolicy(POLICY).build();

            var applied = applied(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1_MATRIX), GLASS_REASON), LATER));

            assertThat(applied.request().breakGlass().by()).isEqualTo(SRE1_MATRIX);
            assertThat(applied.request().breakGlass().person()).isEqualTo("sre1");
        }

        @Test
        void someone_the_policy_does_not_list_is_refused_even_in_a_required_team() {
            var r = aRequest().withPolicy(POLICY).build();

            var refused = refused(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE2), GLASS_REASON), LATER),
                    NOT_ALLOWED);

            assertThat(refused.message()).contains("not one of the people the policy lets break the glass");
        }

        @Test
        void a_pipeline_cannot_break_the_glass() {
            var r = aRequest().withPolicy(POLICY).build();

            refused(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(Actor.SYSTEM), GLASS_REASON), LATER), NOT_ALLOWED);
        }

        @Test
        void a_request_of_a_reason_the_policy_does_not_list_is_refused_naming_that_reason() {
            var r = aRequest().withPolicy(POLICY).forReason("abuse").build();

            var refused = refused(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1), GLASS_REASON), LATER),
                    NOT_ALLOWED);

            assertThat(refused.message()).contains("cannot be broken for Abuse requests")
                    .contains("only for Availability, Security issue");
        }

        @Test
        void a_reason_one_character_short_of_min_reason_is_refused_saying_how_long_it_must_be() {
            var r = aRequest().withPolicy(POLICY).build();
            var short39 = "x".repeat(39);

            var refused = refused(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1), short39 + "   "), LATER),
                    INVALID);

            assertThat(refused.message()).contains("at least 40 characters (you wrote 39)");
            assertThat(refused.problems()).extracting(Problem::field).containsExactly("reason");
            applied(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1), short39 + "y"), LATER));
        }

        @Test
        void a_missing_reason_is_refused() {
            var r = aRequest().withPolicy(POLICY).build();

            refused(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1), null), LATER), INVALID);
        }

        @Test
        void an_approved_request_is_refused_because_only_a_pending_one_can_be_let_through() {
            var r = aRequest().withPolicy(POLICY).approved().build();

            var refused = refused(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1), GLASS_REASON), LATER),
                    WRONG_STATE);

            assertThat(refused.message()).contains("only be broken on a pending request");
        }

        @Test
        void a_pending_request_past_its_expiry_is_refused() {
            var r = aRequest().withPolicy(POLICY).build();

            refused(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1), GLASS_REASON), r.expires()), WRONG_STATE);
            applied(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1), GLASS_REASON),
                    r.expires().minusSeconds(1)));
        }

        @Test
        void breaking_it_again_is_a_no_op() {
            var r = aRequest().withPolicy(POLICY).brokenGlassBy(SRE1, GLASS_REASON).build();

            unchanged(WORKFLOW.apply(r, new Command.BreakGlass(ID, member(SRE1_MATRIX), GLASS_REASON), LATER));
        }

        @Test
        void without_break_glass_in_the_policy_nobody_may() {
            var r = aRequest().build();

            refused(new Workflow(TestPolicies.standard()).apply(r, new Command.BreakGlass(ID, member(SRE1),
                    GLASS_REASON), LATER), NOT_ALLOWED);
        }

        @Test
        void editing_the_changes_clears_the_break_glass_with_the_approvals() {
            var r = aRequest().withPolicy(POLICY).brokenGlassBy(SRE1, GLASS_REASON).build();

            var applied = applied(WORKFLOW.apply(r, new Command.EditChanges(ID, member(DEV), java.util.List.of("999")),
                    LATER));

            assertThat(applied.request().state()).isEqualTo(State.PENDING);
            assertThat(applied.request().breakGlass()).isNull();
            assertThat(applied.request().approvalsValidUntil()).isNull();
            assertThat(applied.events()).extracting(Event::type, Event::detail).contains(
                    tuple(EventType.APPROVALS_CLEARED, "0 approval(s) cleared, and the break-glass"));
            applied(WORKFLOW.apply(applied.request(), new Command.BreakGlass(ID, member(SRE1), GLASS_REASON), LATER));
        }

        @Test
        void the_person_who_broke_the_glass_may_report_the_deploy() {
            var r = aRequest().withPolicy(POLICY).brokenGlassBy(SRE1, GLASS_REASON).build();

            applied(WORKFLOW.apply(r, new Command.StartDeploy(ID, member(SRE1)), LATER));
        }
    }

    @Nested
    class Reviewing {
        @Test
        void a_member_of_a_review_team_reviews_a_deployed_request_with_a_follow_up() {
            var r = aRequest().withPolicy(POLICY).brokenGlassBy(SRE1, GLASS_REASON)
                    .finished(DeployResult.SUCCEEDED).build();

            var applied = applied(WORKFLOW.apply(r, new Command.Review(ID, member(SRE2), " https://phabricator.example.org/T4242 "), LATER));

            assertThat(applied.request().state()).isEqualTo(State.DEPLOYED);
            assertThat(applied.request().review()).isEqualTo(new Review(SRE2, SRE2.toString(),
                    "https://phabricator.example.org/T4242", LATER));
            assertThat(applied.events()).extracting(Event::type).containsExactly(EventType.REQUEST_REVIEWED);
        }

        @Test
        void failed_and_rolled_back_deploys_can_be_reviewed_too() {
            for (var result : new DeployResult[] {DeployResult.FAILED, DeployResult.ROLLED_BACK}) {
                var r = aRequest().withPolicy(POLICY).approved().finished(result).build();
                applied(WORKFLOW.apply(r, new Command.Review(ID, member(SRE2), "T1"), LATER));
            }
        }

        @Test
        void a_request_whose_deploy_has_not_ended_cannot_be_reviewed() {
            var r = aRequest().withPolicy(POLICY).deploying().build();

            var refused = refused(WORKFLOW.apply(r, new Command.Review(ID, member(SRE2), "T1"), LATER), WRONG_STATE);

            assertThat(refused.message()).contains("once its deploy has ended");
        }

        @Test
        void the_deployer_cannot_review_even_from_another_linked_account() {
            var r = aRequest().withPolicy(POLICY).withDeployer(SRE1).approvedBy(SRE2, "sre").approvedBy(REL1, "releng")
                    .finished(DeployResult.SUCCEEDED).build();

            var refused = refused(WORKFLOW.apply(r, new Command.Review(ID, member(SRE1_MATRIX), "T1"), LATER),
                    NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo("You deployed EMG-1, so someone else in SRE must review it");
        }

        @Test
        void the_requester_cannot_review() {
            var r = aRequest().withPolicy(POLICY).openedBy(SRE2).approvedBy(SRE1, "sre").approvedBy(REL1, "releng")
                    .finished(DeployResult.SUCCEEDED).build();

            assertThat(refused(WORKFLOW.apply(r, new Command.Review(ID, member(SRE2), "T1"), LATER), NOT_ALLOWED)
                    .message()).startsWith("You opened EMG-1");
        }

        @Test
        void whoever_broke_the_glass_cannot_review() {
            var r = aRequest().withPolicy(POLICY).brokenGlassBy(SRE1, GLASS_REASON).finished(DeployResult.SUCCEEDED)
                    .build();

            assertThat(refused(WORKFLOW.apply(r, new Command.Review(ID, member(SRE1_MATRIX), "T1"), LATER),
                    NOT_ALLOWED).message()).startsWith("You broke the glass on EMG-1");
        }

        @Test
        void someone_in_no_review_team_cannot_review() {
            var r = aRequest().withPolicy(POLICY).approved().finished(DeployResult.SUCCEEDED).build();

            assertThat(refused(WORKFLOW.apply(r, new Command.Review(ID, member(REL1), "T1"), LATER), NOT_ALLOWED)
                    .message()).startsWith("Only members of SRE review requests");
        }

        @Test
        void a_follow_up_that_is_neither_a_task_nor_a_url_is_refused() {
            var r = aRequest().withPolicy(POLICY).approved().finished(DeployResult.SUCCEEDED).build();

            for (var bad : new String[] {"", "   ", "looks fine to me", "javascript:alert(1)", "T1 T2",
                    "https://x/" + "a".repeat(600)})
                assertThat(refused(WORKFLOW.apply(r, new Command.Review(ID, member(SRE2), bad), LATER), INVALID)
                        .problems()).extracting(Problem::field).containsExactly("follow_up");
            for (var good : new String[] {"T12345", "OPS-42", "#1234", "http://tasks.example.org/42"})
                applied(WORKFLOW.apply(r, new Command.Review(ID, member(SRE2), good), LATER));
        }

        @Test
        void a_second_review_by_someone_else_is_refused_and_by_the_same_person_is_a_no_op() {
            var r = aRequest().withPolicy(POLICY).approved().finished(DeployResult.SUCCEEDED).reviewedBy(SRE2).build();

            unchanged(WORKFLOW.apply(r, new Command.Review(ID, member(SRE2), "T9"), LATER));
            refused(WORKFLOW.apply(r, new Command.Review(ID, member(TestPolicies.BOTH), "T9"), LATER), WRONG_STATE);
        }
    }

    @Nested
    class ClosingWaits {
        @Test
        void a_break_glass_request_cannot_close_before_its_review_and_can_after() {
            var r = aRequest().withPolicy(POLICY).brokenGlassBy(SRE1, GLASS_REASON).finished(DeployResult.SUCCEEDED)
                    .build();

            var refused = refused(WORKFLOW.apply(r, new Command.Close(ID, member(SRE1), "proper fix in T9"), LATER),
                    WRONG_STATE);
            assertThat(refused.message()).isEqualTo("EMG-1 must be reviewed before it is closed (the glass was broken on "
                    + "it): someone in SRE who neither opened nor deployed it reviews it with a follow-up link or task");

            var reviewed = applied(WORKFLOW.apply(r, new Command.Review(ID, member(SRE2), "T9"), LATER)).request();
            applied(WORKFLOW.apply(reviewed, new Command.Close(ID, member(SRE1), "proper fix in T9"), LATER));
        }

        @Test
        void a_request_approved_by_its_teams_closes_without_review_when_only_break_glass_requires_one() {
            var r = aRequest().withPolicy(POLICY).approved().finished(DeployResult.SUCCEEDED).build();

            assertThat(r.reviewDue()).isNull();
            applied(WORKFLOW.apply(r, new Command.Close(ID, member(DEV), "done"), LATER));
        }

        @Test
        void required_for_all_makes_every_request_wait_for_its_review() {
            var policy = TestPolicies.withAftercare(Set.of(ReviewRule.ALL));
            var r = aRequest().withPolicy(policy).approved().finished(DeployResult.FAILED).build();

            refused(new Workflow(policy).apply(r, new Command.Close(ID, member(DEV), "done"), LATER), WRONG_STATE);
        }

        @Test
        void required_for_a_reason_key_makes_that_reasons_requests_wait() {
            var policy = TestPolicies.withAftercare(Set.of("data-loss"));
            var dataLoss = aRequest().withPolicy(policy).forReason("data-loss").approved()
                    .finished(DeployResult.SUCCEEDED).build();
            var availability = aRequest().withPolicy(policy).approved().finished(DeployResult.SUCCEEDED).build();

            refused(new Workflow(policy).apply(dataLoss, new Command.Close(ID, member(DEV), "done"), LATER), WRONG_STATE);
            applied(new Workflow(policy).apply(availability, new Command.Close(ID, member(DEV), "done"), LATER));
        }
    }

    @Nested
    class Overdue {
        @Test
        void the_review_is_due_due_after_the_deploy_ended_and_overdue_from_that_instant() {
            var r = aRequest().withPolicy(POLICY).brokenGlassBy(SRE1, GLASS_REASON).finished(DeployResult.SUCCEEDED)
                    .build();
            var ended = r.updated();

            assertThat(r.reviewDue()).isEqualTo(ended.plus(Duration.ofDays(2)));
            assertThat(r.awaitsReview()).isTrue();
            assertThat(r.reviewOverdue(ended.plus(Duration.ofDays(2)).minusSeconds(1))).isFalse();
            assertThat(r.reviewOverdue(ended.plus(Duration.ofDays(2)))).isTrue();
        }

        @Test
        void a_reviewed_request_is_not_overdue() {
            var r = aRequest().withPolicy(POLICY).brokenGlassBy(SRE1, GLASS_REASON).finished(DeployResult.SUCCEEDED)
                    .reviewedBy(SRE2).build();

            assertThat(r.reviewOverdue(r.updated().plus(Duration.ofDays(30)))).isFalse();
        }

        @Test
        void the_reminder_comes_once_the_review_is_overdue_and_again_only_after_another_due_after() {
            var r = aRequest().withPolicy(POLICY).brokenGlassBy(SRE1, GLASS_REASON).finished(DeployResult.SUCCEEDED)
                    .build();
            var due = r.reviewDue();
            var system = member(Actor.SYSTEM);

            unchanged(WORKFLOW.apply(r, new Command.RemindReview(ID, system), due.minusSeconds(1)));
            var reminded = applied(WORKFLOW.apply(r, new Command.RemindReview(ID, system), due));
            assertThat(reminded.events()).extracting(Event::type).containsExactly(EventType.REVIEW_OVERDUE);
            assertThat(reminded.request().reviewDue()).isEqualTo(due);
            var again = reminded.request();
            unchanged(WORKFLOW.apply(again, new Command.RemindReview(ID, system), due.plus(Duration.ofDays(2))
                    .minusSeconds(1)));
            applied(WORKFLOW.apply(again, new Command.RemindReview(ID, system), due.plus(Duration.ofDays(2))));
        }

        @Test
        void no_reminder_for_a_request_that_needs_no_review() {
            var r = aRequest().withPolicy(POLICY).approved().finished(DeployResult.SUCCEEDED).build();

            unchanged(WORKFLOW.apply(r, new Command.RemindReview(ID, member(Actor.SYSTEM)), LATER.plus(Duration.ofDays(9))));
        }
    }

    @Nested
    class PolicyRules {
        @Test
        void break_glass_and_review_name_only_known_people_reasons_and_teams_every_problem_at_once() {
            assertThatThrownBy(() -> TestPolicies.standard().withAftercare(
                    new BreakGlassRule(Set.of("mallory"), Set.of("nonsense"), 0),
                    new ReviewRule(Set.of("auditors"), Set.of("sometimes"), Duration.ZERO)))
                    .isInstanceOfSatisfying(Policy.InvalidPolicy.class, e -> assertThat(e.problems()).hasSize(6));
        }

        @Test
        void required_for_without_review_teams_is_a_problem() {
            assertThatThrownBy(() -> TestPolicies.standard().withAftercare(BreakGlassRule.NONE,
                    new ReviewRule(Set.of(), Set.of("all"), null))).isInstanceOf(Policy.InvalidPolicy.class);
        }
    }

    private static Member member(Actor actor) { return new PolicyDirectory(POLICY).resolve(actor); }

    private static Applied applied(Outcome outcome) {
        assertThat(outcome).as(outcome.message()).isInstanceOf(Applied.class);
        return (Applied) outcome;
    }

    private static Unchanged unchanged(Outcome outcome) {
        assertThat(outcome).as(outcome.message()).isInstanceOf(Unchanged.class);
        return (Unchanged) outcome;
    }

    private static Refused refused(Outcome outcome, Refusal kind) {
        assertThat(outcome).as(outcome.message()).isInstanceOf(Refused.class);
        var refused = (Refused) outcome;
        assertThat(refused.kind()).as(refused.message()).isEqualTo(kind);
        return refused;
    }
}
