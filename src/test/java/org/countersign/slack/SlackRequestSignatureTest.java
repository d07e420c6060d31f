package org.countersign.slack;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.properties.HasOwner;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SlackRequestSignatureTest {
    // The worked example of Slack's "Verifying requests from Slack".
    private static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    private static final String TIMESTAMP = "1531420618";
    private static final byte[] BODY = ("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
            + "channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&"
            + "text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
            + "trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c").getBytes(StandardCharsets.UTF_8);
    private static final String SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    private static final long THEN = 1531420618_000L;

    private final SlackRequestSignature signature = new SlackRequestSignature(SECRET);

    @Test
    void slacks_worked_example_is_valid() {
        assertThat(signature.valid(TIMESTAMP, SIGNATURE, BODY, THEN + 1_000)).isTrue();
    }

    @Test
    void another_secret_a_changed_byte_or_a_changed_digit_is_invalid() {
        var changed = BODY.clone();
        changed[changed.length - 1] ^= 1;

        assertThat(new SlackRequestSignature(SECRET + "x").valid(TIMESTAMP, SIGNATURE, BODY, THEN)).isFalse();
        assertThat(signature.valid(TIMESTAMP, SIGNATURE, changed, THEN)).isFalse();
        assertThat(signature.valid(TIMESTAMP, SIGNATURE.replace("a211", "a212"), BODY, THEN)).isFalse();
        assertThat(signature.valid(TIMESTAMP, SIGNATURE.toUpperCase(), BODY, THEN)).isFalse();
        assertThat(signature.valid(TIMESTAMP, "v0=", BODY, THEN)).isFalse();
    }

    @Test
    void a_thread_checking_body_after_body_answers_each_as_if_it_were_the_first() throws Exception {
        // The MAC is kept keyed per thread: whatever the check before it was, nothing of it may carry over.
        var changed = BODY.clone();
        changed[0] ^= 1;
        for (int i = 0; i < 3; i++) {
            assertThat(signature.valid(TIMESTAMP, SIGNATURE, changed, THEN)).isFalse();
            assertThat(signature.valid(TIMESTAMP, SIGNATURE, BODY, THEN)).isTrue();
            assertThat(signature.valid("soon", SIGNATURE, BODY, THEN)).isFalse();
            assertThat(signature.valid(TIMESTAMP, SIGNATURE, BODY, THEN)).isTrue();
        }
        var other = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> signature.valid(TIMESTAMP, SIGNATURE, BODY, THEN) && !signature.valid(TIMESTAMP, SIGNATURE, changed, THEN));
        assertThat(other.get()).isTrue();
    }

    @Test
    void a_timestamp_more_than_five_minutes_away_either_way_or_not_a_number_is_invalid() {
        assertThat(signature.valid(TIMESTAMP, SIGNATURE, BODY, THEN + 300_000)).isTrue();
        assertThat(signature.valid(TIMESTAMP, SIGNATURE, BODY, THEN + 301_000)).isFalse();
        assertThat(signature.valid(TIMESTAMP, SIGNATURE, BODY, THEN - 301_000)).isFalse();
        assertThat(signature.valid("soon", SIGNATURE, BODY, THEN)).isFalse();
    }

    @Test
    void no_slack_signature_is_checked_with_bolts_verifier_which_compares_with_string_equals() {
        var ours = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.countersign");

        noClasses().should().callMethodWhere(JavaCall.Predicates.target(HasOwner.Predicates.With.owner(
                        JavaClass.Predicates.type(com.slack.api.app_backend.SlackSignature.Verifier.class))))
                .because("its String.equals answers sooner the earlier a forged signature goes wrong")
                .check(ours);
    }
}
