package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.countersign.domain.EventType.APPROVALS_CLEARED;
import static org.countersign.domain.EventType.APPROVAL_ADDED;
import static org.countersign.domain.EventType.APPROVAL_WITHDRAWN;
import static org.countersign.domain.EventType.DEPLOY_FINISHED;
import static org.countersign.domain.EventType.DEPLOY_STARTED;
import static org.countersign.domain.EventType.REQUEST_APPROVED;
import static org.countersign.domain.EventType.REQUEST_CANCELLED;
import static org.countersign.domain.EventType.REQUEST_CLOSED;
import static org.countersign.domain.EventType.REQUEST_EDITED;
import static org.countersign.domain.EventType.REQUEST_EXPIRED;
import static org.countersign.domain.EventType.REQUEST_OPENED;
import static org.countersign.domain.EventType.REQUEST_REJECTED;
import static org.countersign.domain.Outcome.Refusal.INVALID;
import static org.countersign.domain.Outcome.Refusal.NOT_ALLOWED;
import static org.countersign.domain.Outcome.Refusal.WRONG_STATE;
import static org.countersign.domain.RequestBuilder.ID;
import static org.countersign.domain.RequestBuilder.OPENED;
import static org.countersign.domain.RequestBuilder.aRequest;
import static org.countersign.domain.TestPolicies.BOTH;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.DEV2;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.REL2;
import static org.countersign.domain.TestPolicies.SEC1;
import static org.countersign.domain.TestPolicies.SRE1;
import static org.countersign.domain.TestPolicies.SRE1_MATRIX;
import static org.countersign.domain.TestPolicies.SRE2;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.countersign.app.PolicyDirectory;
import org.countersign.domain.Outcome.Applied;
import org.countersign.domain.Outcome.Refusal;
import org.countersign.domain.Outcome.Refused;
import org.countersign.domain.Outcome.Unchanged;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class WorkflowTest {
    /** When the command under test is given: well after the builder's steps, well before expiry. */
    static final Instant LATER = OPENED.plus(Duration.ofMinutes(30));
    static final Instant EXPIRES = OPENED.plus(Duration.ofMinutes(60));
    static final List<String> CHANGES = List.of("https://gerrit.example.org/r/c/operations/+/123456");

    @Nested
    class Opening {
        @Test
        void opening_a_complete_draft_gives_a_pending_request_that_expires_after_the_policys_time() {
            var applied = applied(new Workflow(TestPolicies.standard()).open(ID, DraftBuilder.aDraft().build(),
                    member(DEV), OPENED));

            var r = applied.request();
            assertThat(r.state()).isEqualTo(State.PENDING);
            assertThat(r.version()).isEqualTo(1);
            assertThat(r.expires()).isEqualTo(EXPIRES);
            assertThat(r.requiredTeams()).containsExactly("sre", "releng");
            assertThat(r.requester()).isEqualTo(DEV);
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::version, Event::state)
                    .containsExactly(tuple(REQUEST_OPENED, "EMG-1/1/0", 1L, State.PENDING));
            assertThat(applied.message()).startsWith("EMG-1 is open; it needs SRE and Release Engineering to approve");
        }

        @Test
        void opening_an_incomplete_draft_is_refused_with_every_problem() {
            var draft = DraftBuilder.aDraft().withSummary(null).withChanges().build();

            var refused = refused(new Workflow(TestPolicies.standard()).open(ID, draft, member(DEV), OPENED), INVALID);

            assertThat(refused.problems()).extracting(Problem::field).containsExactly("summary", "changes");
        }
    }

    @Nested
    class Approving {
        @Test
        void an_approval_by_a_team_member_is_recorded_and_says_which_teams_are_still_needed() {
            var applied = applied(when(aRequest(), approve(SRE1, "sre")));

            assertThat(applied.request().state()).isEqualTo(State.PENDING);
            assertThat(applied.request().version()).isEqualTo(2);
            assertThat(applied.request().updated()).isEqualTo(LATER);
            assertThat(applied.request().approvals())
                    .containsExactly(new Approval("sre", SRE1, "sre1", LATER, CHANGES));
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::version, Event::team, Event::actor)
                    .containsExactly(tuple(APPROVAL_ADDED, "EMG-1/2/0", 2L, "sre", SRE1));
            assertThat(applied.message()).isEqualTo("You approved EMG-1 for SRE; it still needs Release Engineering");
        }

        @Test
        void approval_for_a_team_by_someone_not_in_it_is_refused() {
            var refused = refused(when(aRequest(), approve(REL1, "sre")), NOT_ALLOWED);

            assertThat(refused.message()).contains("You are not a member of SRE").contains("ask someone in SRE");
        }

        @Test
        void approval_for_a_team_by_someone_not_in_it_names_the_request() {
            var refused = refused(when(aRequest(), approve(REL1, "sre")), NOT_ALLOWED);

            assertThat(refused.message()).contains("EMG-1");
        }

        @Test
        void approval_without_a_team_by_someone_in_no_needed_team_is_refused() {
            var refused = refused(when(aRequest(), approve(DEV2, null)), NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo(
                    "You are not in SRE or Release Engineering, which EMG-1 still needs, so you cannot approve it");
        }

        @Test
        void approval_for_a_team_whose_membership_cannot_be_checked_now_says_why() {
            var outcome = whenUnchecked(approve(DEV2, "sre"), "Slack has not answered for 20 min about the SRE user group");

            assertThat(refused(outcome, NOT_ALLOWED).message())
                    .isEqualTo("Slack has not answered for 20 min about the SRE user group");
        }

        @Test
        void approval_without_a_team_when_a_needed_teams_membership_cannot_be_checked_says_why() {
            var outcome = whenUnchecked(approve(DEV2, null), "Slack has not answered for 20 min about the SRE user group");

            assertThat(refused(outcome, NOT_ALLOWED).message())
                    .isEqualTo("Slack has not answered for 20 min about the SRE user group");
        }

        @Test
        void a_team_whose_membership_cannot_be_checked_does_not_stop_someone_the_policy_lists_in_it() {
            var outcome = whenUnchecked(approve(SRE1, "sre"), "Slack has not answered");

            assertThat(applied(outcome).request().approvalsFor("sre")).hasSize(1);
        }

        @Test
        void the_requester_is_told_they_opened_it_even_when_a_teams_membership_cannot_be_checked() {
            var outcome = whenUnchecked(approve(DEV, "sre"), "Slack has not answered");

            assertThat(refused(outcome, NOT_ALLOWED).message()).startsWith("You opened EMG-1");
        }

        @Test
        void approve_by_the_requester_is_refused_with_a_reason() {
            var refused = refused(when(aRequest().openedBy(SRE1), approve(SRE1, "sre")), NOT_ALLOWED);

            assertThat(refused.message()).startsWith("You opened EMG-1, so someone else must approve it")
                    .contains("SRE and Release Engineering");
        }

        @Test
        void approve_by_the_requester_from_a_linked_account_is_refused() {
            var refused = refused(when(aRequest().openedBy(SRE1), approve(SRE1_MATRIX, "sre")), NOT_ALLOWED);

            assertThat(refused.message()).startsWith("You opened EMG-1, so someone else must approve it");
        }

        @Test
        void one_person_fills_at_most_one_team_slot() {
            var refused = refused(when(aRequest().approvedBy(BOTH, "sre"), approve(BOTH, "releng")), NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo("You already approved EMG-1 for SRE; one person fills one team slot,"
                    + " so someone else must approve for Release Engineering");
        }

        @Test
        void a_linked_account_cannot_take_a_second_slot_in_the_same_team() {
            var given = aRequest().withPolicy(TestPolicies.withQuorum(2)).approvedBy(SRE1, "sre");

            var unchanged = unchanged(when(given, approve(SRE1_MATRIX, "sre")));

            assertThat(unchanged.request()).isEqualTo(given.build());
            assertThat(unchanged.message()).startsWith("You already approved EMG-1 for SRE");
        }

        @Test
        void a_linked_account_cannot_take_a_slot_in_another_team() {
            var patSlack = Actor.slack("U0PAT");
            var patMatrix = Actor.matrix("@pat:example.org");
            var policy = PolicyBuilder.aPolicy()
                    .withTeam("sre", "SRE", patSlack, SRE1).withTeam("releng", "Release Engineering", patMatrix, REL1)
                    .withReason("availability", "Availability", "sre", "releng")
                    .linking("pat", patSlack, patMatrix).build();

            var refused = refused(when(aRequest().withPolicy(policy).approvedBy(patSlack, "sre"),
                    approve(patMatrix, "releng")), NOT_ALLOWED);

            assertThat(refused.message()).contains("You already approved EMG-1 for SRE; one person fills one team slot");
        }

        @Test
        void a_repeated_approval_is_unchanged_with_a_clear_answer() {
            var given = aRequest().approvedBy(SRE1, "sre");

            var unchanged = unchanged(when(given, approve(SRE1, "sre")));

            assertThat(unchanged.request()).isEqualTo(given.build());
            assertThat(unchanged.message()).isEqualTo("You already approved EMG-1 for SRE at 2025-03-01 10:01 UTC;"
                    + " nothing more to do");
        }

        @Test
        void a_repeated_approval_after_the_request_is_approved_is_unchanged() {
            var given = aRequest().approved();

            var unchanged = unchanged(when(given, approve(SRE1, null)));

            assertThat(unchanged.request().state()).isEqualTo(State.APPROVED);
            assertThat(unchanged.message()).startsWith("You already approved EMG-1 for SRE");
        }

        @Test
        void the_last_required_teams_approval_approves_the_request_in_the_same_step() {
            var applied = applied(when(aRequest().approvedBy(SRE1, "sre"), approve(REL1, "releng")));

            assertThat(applied.request().state()).isEqualTo(State.APPROVED);
            assertThat(applied.request().version()).isEqualTo(3);
            assertThat(applied.request().approvals()).extracting(Approval::team, Approval::by)
                    .containsExactly(tuple("sre", SRE1), tuple("releng", REL1));
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::version, Event::state, Event::team)
                    .containsExactly(tuple(APPROVAL_ADDED, "EMG-1/3/0", 3L, State.APPROVED, "releng"),
                            tuple(REQUEST_APPROVED, "EMG-1/3/1", 3L, State.APPROVED, null));
            assertThat(applied.message()).isEqualTo("You approved EMG-1 for Release Engineering; every team has signed,"
                    + " so it is approved and can be deployed");
        }

        @Test
        void with_a_quorum_of_two_one_approval_per_team_is_not_enough() {
            var given = aRequest().withPolicy(TestPolicies.withQuorum(2)).approvedBy(SRE1, "sre");

            var applied = applied(when(given, approve(REL1, "releng")));

            assertThat(applied.request().state()).isEqualTo(State.PENDING);
            assertThat(applied.events()).extracting(Event::type).containsExactly(APPROVAL_ADDED);
            assertThat(applied.message()).endsWith("it still needs SRE and Release Engineering");
        }

        @Test
        void with_a_quorum_of_two_the_second_approval_of_the_last_team_approves_the_request() {
            var given = aRequest().withPolicy(TestPolicies.withQuorum(2))
                    .approvedBy(SRE1, "sre").approvedBy(SRE2, "sre").approvedBy(REL1, "releng");

            var applied = applied(when(given, approve(REL2, "releng")));

            assertThat(applied.request().state()).isEqualTo(State.APPROVED);
            assertThat(applied.request().approvals()).hasSize(4);
            assertThat(applied.events()).extracting(Event::type).containsExactly(APPROVAL_ADDED, REQUEST_APPROVED);
        }

        @Test
        void a_team_that_has_all_its_approvals_takes_no_more() {
            var refused = refused(when(aRequest().approvedBy(SRE1, "sre"), approve(SRE2, "sre")), WRONG_STATE);

            assertThat(refused.message()).isEqualTo(
                    "SRE has already approved EMG-1 (slack:U0SRE1); it still needs Release Engineering");
        }

        @Test
        void a_security_issue_is_not_approved_without_security() {
            var given = aRequest().forReason("security").approvedBy(SRE1, "sre");

            var applied = applied(when(given, approve(REL1, "releng")));

            assertThat(applied.request().state()).isEqualTo(State.PENDING);
            assertThat(applied.request().confidential()).isTrue();
            assertThat(applied.message()).endsWith("it still needs Security");
        }

        @Test
        void a_security_issue_is_approved_once_security_signs() {
            var given = aRequest().forReason("security").approvedBy(SRE1, "sre").approvedBy(REL1, "releng");

            var applied = applied(when(given, approve(SEC1, "security")));

            assertThat(applied.request().state()).isEqualTo(State.APPROVED);
        }

        @Test
        void approval_for_a_team_the_reason_does_not_need_is_refused() {
            var refused = refused(when(aRequest(), approve(SEC1, "security")), INVALID);

            assertThat(refused.message()).isEqualTo("EMG-1 does not need Security; it needs SRE and Release Engineering");
        }

        @Test
        void approval_without_a_team_picks_the_one_needed_team_the_member_is_in() {
            var applied = applied(when(aRequest(), approve(SRE1, null)));

            assertThat(applied.request().approvals()).extracting(Approval::team).containsExactly("sre");
        }

        @Test
        void approval_without_a_team_by_a_member_of_several_needed_teams_asks_which() {
            var refused = refused(when(aRequest(), approve(BOTH, null)), INVALID);

            assertThat(refused.message()).isEqualTo("You are in SRE and Release Engineering; say which team you approve"
                    + " EMG-1 for (one person fills one team slot)");
        }

        @Test
        void approval_without_a_team_skips_teams_that_have_signed() {
            var applied = applied(when(aRequest().approvedBy(SRE1, "sre"), approve(BOTH, null)));

            assertThat(applied.request().approvalsFor("releng")).extracting(Approval::by).containsExactly(BOTH);
        }

        @Test
        void approval_once_the_expiry_time_has_passed_is_refused() {
            var refused = refused(when(aRequest(), approve(SRE1, "sre"), EXPIRES), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 expired at 2025-03-01 11:00 UTC without all approvals;"
                    + " open a new request if the fix is still needed");
        }

        @Test
        void approval_of_an_expired_request_is_refused() {
            var refused = refused(when(aRequest().expired(), approve(SRE1, "sre"), EXPIRES.plusSeconds(60)), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 expired; open a new request if the fix is still needed");
        }

        @Test
        void approval_after_a_rejection_is_refused_with_the_rejection_reason() {
            var given = aRequest().rejectedBy(REL1, "No test covers the revert");

            var refused = refused(when(given, approve(SRE1, "sre")), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 was rejected by slack:U0REL1: No test covers the revert;"
                    + " open a new request once that is addressed");
        }

        @Test
        void approval_of_a_cancelled_request_is_refused() {
            var refused = refused(when(aRequest().cancelled(), approve(SRE1, "sre")), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 was cancelled");
        }
    }

    @Nested
    class Rejecting {
        @Test
        void a_rejection_with_a_reason_by_a_required_team_member_rejects_the_request() {
            var applied = applied(when(aRequest(), reject(REL1, "  No test covers the revert ")));

            assertThat(applied.request().state()).isEqualTo(State.REJECTED);
            assertThat(applied.request().version()).isEqualTo(2);
            assertThat(applied.request().rejection()).isEqualTo(new Rejection(REL1, "No test covers the revert", LATER));
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::detail)
                    .containsExactly(tuple(REQUEST_REJECTED, "EMG-1/2/0", "No test covers the revert"));
            assertThat(applied.message()).isEqualTo("You rejected EMG-1; the requester has been told why");
        }

        @Test
        void a_rejection_without_a_reason_is_refused() {
            var refused = refused(when(aRequest(), reject(REL1, "   ")), INVALID);

            assertThat(refused.message()).isEqualTo("Say why you reject EMG-1; the requester needs to know what to fix");
            assertThat(refused.problems()).extracting(Problem::field).containsExactly("reason");
        }

        @Test
        void a_rejection_by_someone_in_no_required_team_is_refused() {
            var refused = refused(when(aRequest(), reject(SEC1, "I do not like it")), NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo("Only members of SRE or Release Engineering can reject EMG-1;"
                    + " you are in none of them");
        }

        @Test
        void an_approved_request_can_still_be_rejected_before_the_deploy() {
            var applied = applied(when(aRequest().approved(), reject(SRE2, "Wrong patch")));

            assertThat(applied.request().state()).isEqualTo(State.REJECTED);
        }

        @Test
        void a_rejection_once_the_deploy_started_is_refused() {
            var refused = refused(when(aRequest().deploying(), reject(SRE2, "Wrong patch")), WRONG_STATE);

            assertThat(refused.message()).startsWith("EMG-1 is being deployed; rejections are only taken before the deploy starts");
        }

        @Test
        void a_repeated_rejection_is_unchanged() {
            var unchanged = unchanged(when(aRequest().rejectedBy(REL1, "No test"), reject(REL1, "No test")));

            assertThat(unchanged.message()).isEqualTo("You already rejected EMG-1");
        }
    }

    @Nested
    class Cancelling {
        @Test
        void the_requester_can_cancel() {
            var applied = applied(when(aRequest(), cancel(DEV, "fixed by a config change")));

            assertThat(applied.request().state()).isEqualTo(State.CANCELLED);
            assertThat(applied.request().version()).isEqualTo(2);
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::actor, Event::detail)
                    .containsExactly(tuple(REQUEST_CANCELLED, "EMG-1/2/0", DEV, "fixed by a config change"));
            assertThat(applied.message()).isEqualTo("You cancelled EMG-1");
        }

        @Test
        void a_required_team_member_can_cancel() {
            var applied = applied(when(aRequest().approved(), cancel(SRE2, null)));

            assertThat(applied.request().state()).isEqualTo(State.CANCELLED);
        }

        @Test
        void nobody_else_can_cancel() {
            var refused = refused(when(aRequest(), cancel(DEV2, null)), NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo(
                    "Only the requester or a member of SRE or Release Engineering can cancel EMG-1");
        }

        @Test
        void a_request_whose_deploy_started_cannot_be_cancelled() {
            var refused = refused(when(aRequest().deploying(), cancel(DEV, null)), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 is being deployed; only a pending or approved request can be cancelled");
        }

        @Test
        void cancelling_twice_is_unchanged() {
            var unchanged = unchanged(when(aRequest().cancelled(), cancel(DEV, null)));

            assertThat(unchanged.message()).isEqualTo("EMG-1 is already cancelled");
        }
    }

    @Nested
    class EditingChanges {
        static final List<String> NEW_CHANGES = List.of("https://gerrit.example.org/r/c/operations/+/123457", "I" + "a".repeat(40));

        @Test
        void editing_the_changes_clears_the_approvals_and_says_so() {
            var applied = applied(when(aRequest().approvedBy(SRE1, "sre"), edit(DEV, NEW_CHANGES)));

            var r = applied.request();
            assertThat(r.changes()).isEqualTo(NEW_CHANGES);
            assertThat(r.approvals()).isEmpty();
            assertThat(r.state()).isEqualTo(State.PENDING);
            assertThat(r.version()).isEqualTo(3);
            assertThat(r.expires()).isEqualTo(LATER.plus(Duration.ofMinutes(60)));
            assertThat(applied.events()).extracting(Event::type, Event::id)
                    .containsExactly(tuple(REQUEST_EDITED, "EMG-1/3/0"), tuple(APPROVALS_CLEARED, "EMG-1/3/1"));
            assertThat(applied.message()).isEqualTo("You changed the changes of EMG-1; its 1 approval(s) were cleared,"
                    + " so SRE and Release Engineering must approve again");
        }

        @Test
        void editing_an_approved_request_sends_it_back_to_pending() {
            var applied = applied(when(aRequest().approved(), edit(DEV, NEW_CHANGES)));

            assertThat(applied.request().state()).isEqualTo(State.PENDING);
            assertThat(applied.request().approvals()).isEmpty();
            assertThat(applied.events()).extracting(Event::state).containsOnly(State.PENDING);
        }

        @Test
        void editing_before_any_approval_keeps_the_expiry() {
            var applied = applied(when(aRequest(), edit(DEV, NEW_CHANGES)));

            assertThat(applied.request().expires()).isEqualTo(EXPIRES);
            assertThat(applied.events()).extracting(Event::type).containsExactly(REQUEST_EDITED);
            assertThat(applied.message()).isEqualTo("You changed the changes of EMG-1");
        }

        @Test
        void the_same_list_of_changes_is_unchanged() {
            var unchanged = unchanged(when(aRequest().approvedBy(SRE1, "sre"), edit(DEV, CHANGES)));

            assertThat(unchanged.request().approvals()).hasSize(1);
            assertThat(unchanged.message()).isEqualTo("The changes of EMG-1 are the same");
        }

        @Test
        void changes_that_are_not_change_references_are_refused_with_every_problem() {
            var refused = refused(when(aRequest(), edit(DEV, List.of("fix the cache", "12345", "see slack"))), INVALID);

            assertThat(refused.problems()).extracting(Problem::message).containsExactly(
                    "\"fix the cache\" is not a change: use a URL (https://…) or a change number (12345, I0123…, org/repo#12), a commit or an artifact digest (sha256:…)",
                    "\"see slack\" is not a change: use a URL (https://…) or a change number (12345, I0123…, org/repo#12), a commit or an artifact digest (sha256:…)");
        }

        @Test
        void refused_changes_name_the_request() {
            var refused = refused(when(aRequest(), edit(DEV, List.of("fix the cache"))), INVALID);

            assertThat(refused.message()).contains("EMG-1");
        }

        @Test
        void an_empty_list_of_changes_is_refused() {
            var refused = refused(when(aRequest(), edit(DEV, List.of(" "))), INVALID);

            assertThat(refused.problems()).extracting(Problem::field).containsExactly("changes");
        }

        @Test
        void the_deployer_can_edit_the_changes() {
            var applied = applied(when(aRequest().withDeployer(SRE2), edit(SRE2, NEW_CHANGES)));

            assertThat(applied.request().changes()).isEqualTo(NEW_CHANGES);
        }

        @Test
        void nobody_but_the_requester_or_the_deployer_can_edit_the_changes() {
            var refused = refused(when(aRequest(), edit(SRE1, NEW_CHANGES)), NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo("Only the requester or the deployer can edit the changes of EMG-1");
        }

        @Test
        void changes_cannot_be_edited_once_the_deploy_started() {
            var refused = refused(when(aRequest().deploying(), edit(DEV, NEW_CHANGES)), WRONG_STATE);

            assertThat(refused.message()).startsWith("EMG-1 is being deployed; changes can only be edited before the deploy starts");
        }

        @Test
        void changes_cannot_be_edited_once_the_request_is_past_its_expiry() {
            var refused = refused(when(aRequest().approvedBy(SRE1, "sre"), edit(DEV, NEW_CHANGES), EXPIRES), WRONG_STATE);

            assertThat(refused.message()).contains("EMG-1 expired");
        }
    }

    @Nested
    class Withdrawing {
        @Test
        void an_approver_withdraws_their_approval_while_other_teams_are_still_needed() {
            var applied = applied(when(aRequest().approvedBy(SRE1, "sre"), withdraw(SRE1, null)));

            var r = applied.request();
            assertThat(r.approvals()).isEmpty();
            assertThat(r.state()).isEqualTo(State.PENDING);
            assertThat(r.version()).isEqualTo(3);
            assertThat(r.expires()).isEqualTo(EXPIRES);
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::team, Event::actor, Event::detail)
                    .containsExactly(tuple(APPROVAL_WITHDRAWN, "EMG-1/3/0", "sre", SRE1, "slack:U0SRE1"));
            assertThat(applied.message()).isEqualTo("You withdrew your approval of EMG-1 for SRE; it needs SRE and "
                    + "Release Engineering");
        }

        @Test
        void the_approver_withdraws_from_another_of_their_linked_accounts() {
            var applied = applied(when(aRequest().approvedBy(SRE1, "sre"), withdraw(SRE1_MATRIX, null)));

            assertThat(applied.request().approvals()).isEmpty();
            assertThat(applied.events()).extracting(Event::actor, Event::detail)
                    .containsExactly(tuple(SRE1_MATRIX, "slack:U0SRE1"));
        }

        @Test
        void nobody_else_withdraws_an_approval_not_even_a_member_of_the_same_team_or_the_requester() {
            for (var other : List.of(SRE2, DEV, REL1)) {
                var refused = refused(when(aRequest().approvedBy(SRE1, "sre"), withdraw(other, null)), NOT_ALLOWED);

                assertThat(refused.message()).isEqualTo("You have no approval on EMG-1 to withdraw; only the person "
                        + "who approved withdraws their own approval");
            }
        }

        @Test
        void of_two_approvals_only_the_withdrawn_one_goes() {
            var applied = applied(when(aRequest().approvedBy(SRE1, "sre").approvedBy(SRE2, "sre")
                    .withPolicy(TestPolicies.withQuorum(2)), withdraw(SRE2, "sre")));

            assertThat(applied.request().approvals()).extracting(Approval::by).containsExactly(SRE1);
        }

        @Test
        void once_every_team_signed_the_approval_can_no_longer_be_withdrawn() {
            var refused = refused(when(aRequest().approved(), withdraw(SRE1, null)), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 is already approved: every team has signed, so approvals "
                    + "can no longer be withdrawn; reject or cancel it if it must not go ahead");
        }

        @Test
        void a_request_no_longer_pending_has_no_approval_to_withdraw() {
            for (var given : List.of(aRequest().approvedBy(SRE1, "sre").rejectedBy(REL1, "roll back instead"),
                    aRequest().approvedBy(SRE1, "sre").cancelled(), aRequest().deploying())) {
                var refused = refused(when(given, withdraw(SRE1, null)), WRONG_STATE);

                assertThat(refused.message()).endsWith("; an approval can only be withdrawn while the request waits "
                        + "for approvals");
            }
        }

        @Test
        void past_its_expiry_nothing_is_withdrawn() {
            var refused = refused(when(aRequest().approvedBy(SRE1, "sre"), withdraw(SRE1, null), EXPIRES), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 expired at 2025-03-01 11:00 UTC; its approvals no longer count");
        }

        @Test
        void naming_another_team_than_the_approval_was_for_is_refused() {
            var refused = refused(when(aRequest().approvedBy(SRE1, "sre"), withdraw(SRE1, "releng")), INVALID);

            assertThat(refused.message()).isEqualTo("You approved EMG-1 for SRE, not Release Engineering; withdraw "
                    + "EMG-1 alone takes that approval back");
        }

        @Test
        void after_withdrawing_the_same_person_may_approve_again_and_a_second_withdrawal_finds_nothing() {
            var given = aRequest().approvedBy(SRE1, "sre");
            var workflow = new Workflow(given.policy());
            var withdrawn = applied(workflow.apply(given.build(), new Command.Withdraw(ID, given.member(SRE1), null), LATER));

            refused(workflow.apply(withdrawn.request(), new Command.Withdraw(ID, given.member(SRE1), null), LATER),
                    NOT_ALLOWED);
            var again = applied(workflow.apply(withdrawn.request(), new Command.Approve(ID, given.member(SRE1), "sre"),
                    LATER.plusSeconds(1)));
            assertThat(again.request().approvals()).extracting(Approval::by).containsExactly(SRE1);
        }
    }

    @Nested
    class MayEdit {
        @Test
        void the_requester_and_the_deployer_may_edit_a_pending_or_approved_request() {
            for (var given : List.of(aRequest().withDeployer(SRE2), aRequest().withDeployer(SRE2).approved()))
                for (var who : List.of(DEV, SRE2))
                    assertThat(new Workflow(given.policy()).editRefusal(given.build(), given.member(who), LATER)).isEmpty();
        }

        @Test
        void anyone_else_or_a_request_past_editing_is_told_why_before_any_form_opens() {
            var given = aRequest();
            assertThat(new Workflow(given.policy()).editRefusal(given.build(), given.member(SRE1), LATER))
                    .get().extracting(Refused::kind).isEqualTo(NOT_ALLOWED);
            var deploying = aRequest().deploying();
            assertThat(new Workflow(deploying.policy()).editRefusal(deploying.build(), deploying.member(DEV), LATER))
                    .get().extracting(Refused::kind).isEqualTo(WRONG_STATE);
        }
    }

    @Nested
    class Deploying {
        @Test
        void an_approver_can_start_the_deploy() {
            var applied = applied(when(aRequest().approved(), startDeploy(REL1)));

            assertThat(applied.request().state()).isEqualTo(State.DEPLOYING);
            assertThat(applied.request().version()).isEqualTo(4);
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::actor)
                    .containsExactly(tuple(DEPLOY_STARTED, "EMG-1/4/0", REL1));
            assertThat(applied.message()).isEqualTo("The deploy of EMG-1 has started");
        }

        @Test
        void the_deployer_can_start_the_deploy() {
            var applied = applied(when(aRequest().withDeployer(DEV2).approved(), startDeploy(DEV2)));

            assertThat(applied.request().state()).isEqualTo(State.DEPLOYING);
        }

        @Test
        void the_deployer_can_start_the_deploy_from_a_linked_account() {
            var applied = applied(when(aRequest().withDeployer(SRE1).approvedBy(SRE2, "sre").approvedBy(REL1, "releng"),
                    startDeploy(SRE1_MATRIX)));

            assertThat(applied.request().state()).isEqualTo(State.DEPLOYING);
        }

        @Test
        void the_system_can_start_the_deploy() {
            var applied = applied(when(aRequest().approved(), startDeploy(Actor.SYSTEM)));

            assertThat(applied.events()).extracting(Event::actor).containsExactly(Actor.SYSTEM);
        }

        @Test
        void a_refused_deploy_names_the_deployer_as_the_policy_names_the_person_not_by_account() {
            var policy = PolicyBuilder.aTwoTeamPolicy().linking("dana", DEV2).build();

            var refused = refused(when(aRequest().withPolicy(policy).withDeployer(DEV2).approved(), startDeploy(DEV)),
                    NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo("Only the deployer (dana) or someone who approved EMG-1 can report "
                    + "its deploy").doesNotContain(DEV2.toString());
        }

        @Test
        void nobody_else_can_start_the_deploy() {
            var refused = refused(when(aRequest().withDeployer(DEV2).approved(), startDeploy(DEV)), NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo(
                    "Only the deployer (slack:U0DEV2) or someone who approved EMG-1 can report its deploy");
        }

        @Test
        void a_deploy_cannot_start_before_the_request_is_approved() {
            var refused = refused(when(aRequest().approvedBy(SRE1, "sre"), startDeploy(SRE1)), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 is not approved yet; it still needs Release Engineering");
        }

        @Test
        void starting_a_deploy_twice_is_unchanged() {
            var unchanged = unchanged(when(aRequest().deploying(), startDeploy(SRE1)));

            assertThat(unchanged.message()).isEqualTo("The deploy of EMG-1 is already under way");
        }

        @Test
        void finishing_a_started_deploy_records_the_result_and_the_note() {
            var applied = applied(when(aRequest().deploying(), finish(SRE1, DeployResult.FAILED, "canary errors")));

            assertThat(applied.request().state()).isEqualTo(State.FAILED);
            assertThat(applied.request().deployNote()).isEqualTo("canary errors");
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::detail)
                    .containsExactly(tuple(DEPLOY_FINISHED, "EMG-1/5/0", "failed: canary errors"));
            assertThat(applied.message()).isEqualTo("EMG-1 failed to deploy; close it with a follow-up note");
        }

        @Test
        void finishing_from_approved_records_deploy_started_and_deploy_finished() {
            var applied = applied(when(aRequest().approved(), finish(Actor.SYSTEM, DeployResult.SUCCEEDED, null)));

            assertThat(applied.request().state()).isEqualTo(State.DEPLOYED);
            assertThat(applied.request().version()).isEqualTo(4);
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::version)
                    .containsExactly(tuple(DEPLOY_STARTED, "EMG-1/4/0", 4L), tuple(DEPLOY_FINISHED, "EMG-1/4/1", 4L));
        }

        @Test
        void nobody_else_can_finish_the_deploy() {
            var refused = refused(when(aRequest().deploying(), finish(DEV2, DeployResult.SUCCEEDED, null)), NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo("Only the requester or someone who approved EMG-1 can report its deploy");
        }

        @Test
        void the_requester_who_named_no_deployer_runs_the_deploy_and_reports_it() {
            var started = applied(when(aRequest().approved(), startDeploy(DEV)));
            var finished = applied(when(aRequest().deploying(), finish(DEV, DeployResult.SUCCEEDED, null)));

            assertThat(started.request().state()).isEqualTo(State.DEPLOYING);
            assertThat(finished.request().state()).isEqualTo(State.DEPLOYED);
        }

        @Test
        void the_requester_who_named_a_deployer_leaves_the_deploy_to_them() {
            var refused = refused(when(aRequest().withDeployer(DEV2).deploying(), finish(DEV, DeployResult.SUCCEEDED, null)),
                    NOT_ALLOWED);

            assertThat(refused.message()).startsWith("Only the deployer (");
        }

        @Test
        void a_deploy_that_ended_cannot_end_another_way() {
            var refused = refused(when(aRequest().deployEnded(DeployResult.SUCCEEDED),
                    finish(Actor.SYSTEM, DeployResult.FAILED, null)), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 is deployed, so its deploy has ended; close it with a follow-up note");
        }

        @Test
        void the_same_result_reported_twice_is_unchanged() {
            var unchanged = unchanged(when(aRequest().deployEnded(DeployResult.ROLLED_BACK),
                    finish(Actor.SYSTEM, DeployResult.ROLLED_BACK, null)));

            assertThat(unchanged.message()).isEqualTo("That is recorded already: EMG-1 was rolled back");
        }
    }

    @Nested
    class Closing {
        @Test
        void closing_with_a_note_after_the_deploy_ended_closes_the_request() {
            var applied = applied(when(aRequest().deployEnded(DeployResult.SUCCEEDED), close(DEV, "proper fix in T12346")));

            assertThat(applied.request().state()).isEqualTo(State.CLOSED);
            assertThat(applied.request().closeNote()).isEqualTo("proper fix in T12346");
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::detail)
                    .containsExactly(tuple(REQUEST_CLOSED, "EMG-1/6/0", "proper fix in T12346"));
            assertThat(applied.message()).isEqualTo("You closed EMG-1");
        }

        @Test
        void closing_without_a_note_is_refused() {
            var refused = refused(when(aRequest().deployEnded(DeployResult.FAILED), close(DEV, " ")), INVALID);

            assertThat(refused.message()).startsWith("Add a follow-up note to close EMG-1");
            assertThat(refused.problems()).extracting(Problem::field).containsExactly("note");
        }

        @Test
        void closing_before_the_deploy_ended_is_refused() {
            var refused = refused(when(aRequest().deploying(), close(DEV, "done")), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 is being deployed; it can be closed once its deploy has ended"
                    + " (deployed, failed or rolled back)");
        }

        @Test
        void closing_by_someone_not_involved_is_refused() {
            var refused = refused(when(aRequest().deployEnded(DeployResult.SUCCEEDED), close(DEV2, "done")), NOT_ALLOWED);

            assertThat(refused.message()).isEqualTo("Only the requester, the deployer or an approver can close EMG-1");
        }
    }

    @Nested
    class Expiring {
        @Test
        void a_pending_request_expires_once_its_time_is_up() {
            var applied = applied(when(aRequest().approvedBy(SRE1, "sre"), expire(), EXPIRES));

            assertThat(applied.request().state()).isEqualTo(State.EXPIRED);
            assertThat(applied.request().version()).isEqualTo(3);
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::actor, Event::detail)
                    .containsExactly(tuple(REQUEST_EXPIRED, "EMG-1/3/0", Actor.SYSTEM, "still needed Release Engineering"));
        }

        @Test
        void a_pending_request_does_not_expire_before_its_time() {
            var refused = refused(when(aRequest(), expire(), EXPIRES.minusSeconds(1)), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("EMG-1 expires at 2025-03-01 11:00 UTC, not yet");
        }

        @Test
        void a_request_whose_deploy_started_does_not_expire() {
            var unchanged = unchanged(when(aRequest().deploying(), expire(), EXPIRES.plus(Duration.ofDays(7))));

            assertThat(unchanged.request().state()).isEqualTo(State.DEPLOYING);
            assertThat(unchanged.message()).isEqualTo("EMG-1 is being deployed; it does not expire");
        }
    }

    @Nested
    class ApprovalsGoingStale {
        /** When {@code approved()} gets its last approval; the standard policy's approvals stay valid for 2h. */
        static final Instant APPROVED_AT = OPENED.plus(Duration.ofMinutes(2));
        static final Instant STALE = APPROVED_AT.plus(Duration.ofHours(2));
        static final String EXPIRED = "The approvals of EMG-1 expired at 2025-03-01 12:02 UTC, before its deploy started;"
                + " open a new request if the fix is still needed";

        @Test
        void the_deploy_can_start_until_just_before_the_approvals_expire() {
            var applied = applied(when(aRequest().approved(), startDeploy(REL1), STALE.minusSeconds(1)));

            assertThat(applied.request().state()).isEqualTo(State.DEPLOYING);
        }

        @Test
        void starting_the_deploy_once_the_approvals_expired_is_refused() {
            var refused = refused(when(aRequest().approved(), startDeploy(REL1), STALE), WRONG_STATE);

            assertThat(refused.message()).isEqualTo(EXPIRED);
        }

        @Test
        void the_pipeline_cannot_report_a_deploy_it_never_started_once_the_approvals_expired() {
            var refused = refused(when(aRequest().approved(), finish(Actor.SYSTEM, DeployResult.SUCCEEDED, null), STALE),
                    WRONG_STATE);

            assertThat(refused.message()).isEqualTo(EXPIRED);
        }

        @Test
        void a_deploy_that_started_in_time_may_end_after_the_approvals_expired() {
            var applied = applied(when(aRequest().deploying(), finish(SRE1, DeployResult.SUCCEEDED, null),
                    STALE.plus(Duration.ofHours(1))));

            assertThat(applied.request().state()).isEqualTo(State.DEPLOYED);
        }

        @Test
        void the_changes_of_a_request_whose_approvals_expired_cannot_be_edited() {
            var refused = refused(when(aRequest().approved(), edit(DEV, EditingChanges.NEW_CHANGES), STALE), WRONG_STATE);

            assertThat(refused.message()).isEqualTo(EXPIRED);
        }

        @Test
        void an_approved_request_expires_once_its_approvals_are_stale() {
            var applied = applied(when(aRequest().approved(), expire(), STALE));

            assertThat(applied.request().state()).isEqualTo(State.EXPIRED);
            assertThat(applied.events()).extracting(Event::type, Event::id, Event::actor, Event::detail)
                    .containsExactly(tuple(REQUEST_EXPIRED, "EMG-1/4/0", Actor.SYSTEM,
                            "the approvals went stale: the deploy had not started by 2025-03-01 12:02 UTC"));
            assertThat(applied.message()).isEqualTo("The approvals of EMG-1 expired");
        }

        @Test
        void the_last_approval_fixes_when_the_approvals_expire() {
            var r = aRequest().approved().build();

            assertThat(r.approvalsValidUntil()).isEqualTo(STALE);
            assertThat(r.deadline()).contains(STALE);
        }

        @Test
        void a_policy_change_does_not_shorten_the_approvals_of_a_request_in_flight() {
            var approvedUnderTwoHours = aRequest().approved().build();
            var shorter = PolicyBuilder.aTwoTeamPolicy().approvalsValidFor(Duration.ofMinutes(10)).build();

            var outcome = new Workflow(shorter).apply(approvedUnderTwoHours,
                    new Command.StartDeploy(ID, Member.outsider(Actor.SYSTEM)), APPROVED_AT.plus(Duration.ofMinutes(30)));

            assertThat(applied(outcome).request().state()).isEqualTo(State.DEPLOYING);
        }

        @Test
        void editing_sends_an_approved_request_back_to_pending_without_a_deadline_for_its_approvals() {
            var r = applied(when(aRequest().approved(), edit(DEV, EditingChanges.NEW_CHANGES))).request();

            assertThat(r.approvalsValidUntil()).isNull();
            assertThat(r.deadline()).contains(r.expires());
        }

        @Test
        void a_request_approved_before_approvals_had_a_deadline_is_held_to_the_policys_validity_from_its_last_approval() {
            var given = aRequest().approved();
            var old = given.build();
            var legacy = old.withApprovals(old.approvals(), null);
            var workflow = new Workflow(given.policy());
            var start = new Command.StartDeploy(ID, Member.outsider(Actor.SYSTEM));

            assertThat(workflow.apply(legacy, start, STALE.minusSeconds(1))).isInstanceOf(Applied.class);
            assertThat(refused(workflow.apply(legacy, start, STALE), WRONG_STATE).message()).isEqualTo(EXPIRED);
        }

        @Test
        void a_deploy_reported_on_a_request_whose_approvals_expired_says_so() {
            var refused = refused(when(aRequest().approved().expired(), startDeploy(REL1), STALE.plusSeconds(60)),
                    WRONG_STATE);

            assertThat(refused.message()).isEqualTo(EXPIRED);
        }

        @Test
        void an_approved_request_does_not_expire_before_its_approvals_do() {
            var refused = refused(when(aRequest().approved(), expire(), STALE.minusSeconds(1)), WRONG_STATE);

            assertThat(refused.message()).isEqualTo("The approvals of EMG-1 expire at 2025-03-01 12:02 UTC, not yet");
        }
    }

    /** What a page asks before it offers a button: the same rules that would refuse the press. */
    @Nested
    class Refusals {
        @Test
        void someone_in_no_required_team_is_refused_the_approval_with_the_reason_the_press_would_get() {
            var given = aRequest();
            var command = approve(DEV2, "sre").apply(given);
            var pressed = refused(new Workflow(given.policy()).apply(given.build(), command, LATER), NOT_ALLOWED);

            var asked = new Workflow(given.policy()).refusal(given.build(), command, LATER);

            assertThat(asked).hasValueSatisfying(r -> assertThat(r.message()).isEqualTo(pressed.message()));
        }

        @Test
        void a_team_member_may_approve_and_reject_though_the_reason_is_not_typed_yet() {
            var given = aRequest();
            var workflow = new Workflow(given.policy());

            assertThat(workflow.refusal(given.build(), approve(SRE1, "sre").apply(given), LATER)).isEmpty();
            assertThat(workflow.refusal(given.build(), reject(SRE1, "").apply(given), LATER)).isEmpty();
        }

        @Test
        void the_requester_may_not_approve_their_own_request() {
            var given = aRequest();

            assertThat(new Workflow(given.policy()).refusal(given.build(), approve(DEV, "sre").apply(given), LATER))
                    .hasValueSatisfying(r -> assertThat(r.message()).startsWith("You opened EMG-1"));
        }

        @Test
        void a_press_that_would_change_nothing_is_refused_with_what_it_would_say() {
            var given = aRequest().approvedBy(SRE1, "sre");

            assertThat(new Workflow(given.policy()).refusal(given.build(), approve(SRE1, "sre").apply(given), LATER))
                    .hasValueSatisfying(r -> assertThat(r.message()).startsWith("You already approved EMG-1 for SRE"));
        }

        @Test
        void the_deploy_buttons_follow_the_deployer_rule() {
            var blank = aRequest().approved();
            var named = aRequest().withDeployer(DEV2).approved();

            assertThat(new Workflow(blank.policy()).refusal(blank.build(), startDeploy(DEV).apply(blank), LATER)).isEmpty();
            assertThat(new Workflow(named.policy()).refusal(named.build(), startDeploy(DEV).apply(named), LATER))
                    .hasValueSatisfying(r -> assertThat(r.kind()).isEqualTo(NOT_ALLOWED));
            assertThat(new Workflow(named.policy()).refusal(named.build(), startDeploy(DEV2).apply(named), LATER)).isEmpty();
        }
    }

    // --- the command under test, given at LATER unless said otherwise

    private static Outcome when(RequestBuilder given, Function<RequestBuilder, Command> command) {
        return when(given, command, LATER);
    }

    private static Outcome when(RequestBuilder given, Function<RequestBuilder, Command> command, Instant at) {
        return new Workflow(given.policy()).apply(given.build(), command.apply(given), at);
    }

    /** The command on a pending request, from a member whose SRE membership cannot be checked, for {@code why}. */
    private static Outcome whenUnchecked(Function<RequestBuilder, Command> command, String why) {
        var given = aRequest();
        return new Workflow(given.policy()).apply(given.build(), command.apply(given), LATER, Map.of("sre", why));
    }

    private static Function<RequestBuilder, Command> approve(Actor by, String team) {
        return b -> new Command.Approve(ID, b.member(by), team);
    }

    private static Function<RequestBuilder, Command> withdraw(Actor by, String team) {
        return b -> new Command.Withdraw(ID, b.member(by), team);
    }

    private static Function<RequestBuilder, Command> reject(Actor by, String why) {
        return b -> new Command.Reject(ID, b.member(by), why);
    }

    private static Function<RequestBuilder, Command> cancel(Actor by, String note) {
        return b -> new Command.Cancel(ID, b.member(by), note);
    }

    private static Function<RequestBuilder, Command> edit(Actor by, List<String> changes) {
        return b -> new Command.EditChanges(ID, b.member(by), changes);
    }

    private static Function<RequestBuilder, Command> startDeploy(Actor by) {
        return b -> new Command.StartDeploy(ID, b.member(by));
    }

    private static Function<RequestBuilder, Command> finish(Actor by, DeployResult result, String note) {
        return b -> new Command.FinishDeploy(ID, b.member(by), result, note);
    }

    private static Function<RequestBuilder, Command> close(Actor by, String note) {
        return b -> new Command.Close(ID, b.member(by), note);
    }

    private static Function<RequestBuilder, Command> expire() {
        return b -> new Command.Expire(ID, b.member(Actor.SYSTEM));
    }

    private static Member member(Actor actor) { return new PolicyDirectory(TestPolicies.standard()).resolve(actor); }

    private static Applied applied(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Applied.class);
        return (Applied) outcome;
    }

    private static Unchanged unchanged(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Unchanged.class);
        return (Unchanged) outcome;
    }

    private static Refused refused(Outcome outcome, Refusal kind) {
        assertThat(outcome).isInstanceOf(Refused.class);
        var refused = (Refused) outcome;
        assertThat(refused.kind()).as(refused.message()).isEqualTo(kind);
        return refused;
    }
}
