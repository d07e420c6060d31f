package org.countersign.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.countersign.domain.RequestBuilder.aRequest;

import org.countersign.app.PolicyDirectory;
import org.countersign.domain.Disclosure.Audience;
import org.countersign.domain.Disclosure.Place;
import org.junit.jupiter.api.Test;

/** The one rule of who sees what of a request, and where its card goes. */
class DisclosureTest {
    private static final PolicyDirectory DIRECTORY = new PolicyDirectory(TestPolicies.standard());
    private final EmergencyRequest open = aRequest().forReason("availability").build();
    private final EmergencyRequest secret = aRequest().forReason("security").build();

    @Test
    void a_request_that_is_not_confidential_is_shown_whole_to_everyone_in_the_ops_room() {
        assertThat(Disclosure.placeOf(open)).isEqualTo(Place.OPS);
        for (var audience : new Audience[] {new Audience.Room(false), new Audience.Anyone(), new Audience.Endpoint(false),
                new Audience.Person(DIRECTORY.resolve(Actor.slack("U0NOBODY")))})
            assertThat(Disclosure.seesAll(open, audience)).as(audience.toString()).isTrue();
    }

    @Test
    void a_confidential_request_goes_to_the_security_room_and_is_shown_whole_only_there_and_to_its_people() {
        assertThat(Disclosure.placeOf(secret)).isEqualTo(Place.SECURITY);
        assertThat(Disclosure.seesAll(secret, new Audience.Room(true))).isTrue();
        assertThat(Disclosure.seesAll(secret, new Audience.Endpoint(true))).isTrue();
        assertThat(Disclosure.seesAll(secret, new Audience.Person(DIRECTORY.resolve(TestPolicies.DEV)))).as("requester").isTrue();
        assertThat(Disclosure.seesAll(secret, new Audience.Person(DIRECTORY.resolve(TestPolicies.SEC1)))).as("team").isTrue();
    }

    @Test
    void a_confidential_request_is_hidden_from_the_ops_room_anyone_a_plain_endpoint_and_outsiders() {
        assertThat(Disclosure.hidesFrom(secret, new Audience.Room(false))).isTrue();
        assertThat(Disclosure.hidesFrom(secret, new Audience.Anyone())).isTrue();
        assertThat(Disclosure.hidesFrom(secret, new Audience.Endpoint(false))).isTrue();
        assertThat(Disclosure.hidesFrom(secret, new Audience.Person(DIRECTORY.resolve(Actor.slack("U0NOBODY"))))).isTrue();
    }
}
