package org.countersign.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.countersign.domain.TestPolicies.DEV;
import static org.countersign.domain.TestPolicies.REL1;
import static org.countersign.domain.TestPolicies.SRE1;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.countersign.app.PolicyDirectory;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer.RetryLater;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.Outcome;
import org.countersign.domain.TestPolicies;
import org.countersign.domain.Workflow;
import org.countersign.store.RedisCardLedger;
import org.countersign.store.RedisKeyValues;
import org.countersign.store.RedisLeases;
import org.countersign.store.RedisRequestStore;
import org.countersign.store.TestRedis;
import org.junit.jupiter.api.Test;

/** The publisher over a real Redis and the real service, with a surface that records what it was asked to show. */
class CardPublisherTest {
    private final String prefix = TestRedis.uniquePrefix();
    private final RequestService service = new RequestService(new RedisRequestStore(TestRedis.client(), prefix),
            new PolicyDirectory(TestPolicies.standard()), new Workflow(TestPolicies.standard()), Clock.systemUTC());
    private final RedisKeyValues kv = new RedisKeyValues(TestRedis.client(), prefix);
    private final RedisLeases leases = new RedisLeases(TestRedis.client(), prefix);
    private final RecordingSurface surface = new RecordingSurface();
    private final CardPublisher publisher = new CardPublisher(service, new Cards(service.workflow()), surface, kv,
            leases, new RedisCardLedger(TestRedis.client(), prefix), "instance-a");

    @Test
    void a_card_is_posted_once_and_then_updated_until_it_shows_the_newest_version() throws Exception {
        var opened = open();
        publisher.handle(opened);
        var approved = only(service.approve(opened.request(), SRE1, "sre"));
        // Someone approves for the other team while the first update is on its way.
        surface.onFirstUpdate = () -> service.approve(opened.request(), REL1, "releng");

        publisher.handle(approved);

        assertThat(surface.posts).containsExactly("ops EMG-1 v1");
        assertThat(surface.updates).containsExactly("ops m1 EMG-1 v2", "ops m1 EMG-1 v3");
        assertThat(kv.get("test:card:" + opened.request())).contains("ops m1 3");
    }

    @Test
    void the_event_that_opens_a_request_gets_no_reply_but_each_later_one_does() throws Exception {
        var opened = open();
        publisher.handle(opened);
        publisher.handle(only(service.approve(opened.request(), SRE1, "sre")));

        assertThat(surface.replies).containsExactly("m1 APPROVAL_ADDED");
    }

    @Test
    void a_redelivered_event_posts_no_second_reply() throws Exception {
        var opened = open();
        publisher.handle(opened);
        var approved = only(service.approve(opened.request(), SRE1, "sre"));

        publisher.handle(approved);
        publisher.handle(approved);

        assertThat(surface.replies).containsExactly("m1 APPROVAL_ADDED");
        assertThat(kv.get("test:reply:" + approved.id())).contains("r1");
    }

    @Test
    void a_card_another_instance_is_working_on_gives_retry_later_and_shows_nothing() {
        var opened = open();
        leases.acquire("test:card:" + opened.request(), "instance-b", Duration.ofSeconds(30));

        assertThatThrownBy(() -> publisher.handle(opened)).isInstanceOfSatisfying(RetryLater.class,
                e -> assertThat(e.after()).isEqualTo(Duration.ofMillis(100)));
        assertThat(surface.posts).isEmpty();
    }

    @Test
    void a_request_with_no_place_on_the_platform_is_skipped() throws Exception {
        surface.place = Optional.empty();
        var opened = open();

        publisher.handle(opened);
        publisher.handle(only(service.approve(opened.request(), SRE1, "sre")));

        assertThat(surface.posts).isEmpty();
        assertThat(surface.updates).isEmpty();
        assertThat(surface.replies).isEmpty();
        assertThat(kv.get("test:card:" + opened.request())).isEmpty();
    }

    @Test
    void a_card_posted_just_before_a_crash_is_found_and_updated_not_posted_again() throws Exception {
        var opened = open();
        surface.crashAfterPost = true;
        assertThatThrownBy(() -> publisher.handle(opened)).hasMessageContaining("crash");
        surface.crashAfterPost = false;
        assertThat(kv.get("test:card:" + opened.request())).hasValueSatisfying(v -> assertThat(v).startsWith("posting "));

        publisher.handle(opened);

        assertThat(surface.posts).containsExactly("ops EMG-1 v1");
        assertThat(surface.updates).containsExactly("ops m1 EMG-1 v1");
        assertThat(kv.get("test:card:" + opened.request())).contains("ops m1 1");
    }

    @Test
    void a_begun_post_the_platform_cannot_find_is_posted() throws Exception {
        var opened = open();
        kv.put("test:card:" + opened.request(), "posting " + System.currentTimeMillis(), null);

        publisher.handle(opened);

        assertThat(surface.posts).containsExactly("ops EMG-1 v1");
        assertThat(kv.get("test:card:" + opened.request())).contains("ops m1 1");
    }

    @Test
    void a_slow_call_keeps_the_lease_so_no_other_instance_takes_the_card_meanwhile() throws Exception {
        var shortLease = Duration.ofMillis(300);
        var slowPublisher = new CardPublisher(service, new Cards(service.workflow()), surface, kv, leases,
                new RedisCardLedger(TestRedis.client(), prefix), "instance-a", shortLease);
        var opened = open();
        var lease = "test:card:" + opened.request();
        var takenMeanwhile = new ArrayList<Boolean>();
        surface.duringPost = () -> {
            // Several lease lengths pass while the call runs; another instance tries after each.
            for (int i = 0; i < 4; i++) {
                sleep(shortLease.toMillis());
                takenMeanwhile.add(leases.acquire(lease, "instance-b", shortLease));
            }
        };

        slowPublisher.handle(opened);

        assertThat(takenMeanwhile).containsExactly(false, false, false, false);
        assertThat(leases.acquire(lease, "instance-b", shortLease)).isTrue();
    }

    @Test
    void a_holder_whose_lease_expired_writes_no_card_over_the_new_holders() {
        var opened = open();
        var ledger = new RedisCardLedger(TestRedis.client(), prefix);
        var key = "test:card:" + opened.request();
        kv.put(key, "ops m7 3", null);
        leases.acquire(key, "instance-b", Duration.ofSeconds(30));

        var newer = ledger.finish(new org.countersign.app.CardLedger.Done(opened.request(), key, "instance-a",
                Duration.ofSeconds(30), key, "ops m1 1", 1, null, null, Duration.ofDays(1), true));

        assertThat(newer).isEmpty();
        assertThat(kv.get(key)).contains("ops m7 3");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Event open() { return only(service.open(DEV, TestPolicies.draft("availability"))); }

    private static Event only(Outcome outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Applied.class);
        var events = ((Outcome.Applied) outcome).events();
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    /** Posts in place "ops" as messages m1, m2...; replies as r1, r2...; each call written down as a line. */
    private static final class RecordingSurface implements CardSurface {
        Optional<String> place = Optional.of("ops");
        Runnable onFirstUpdate = () -> {};
        Runnable duringPost = () -> {};
        boolean crashAfterPost;
        final List<String> posts = new ArrayList<>();
        final List<String> updates = new ArrayList<>();
        final List<String> replies = new ArrayList<>();

        @Override
        public String platform() { return "test"; }

        @Override
        public Optional<String> place(EmergencyRequest request) { return place; }

        @Override
        public CardRef post(String place, Card card, EmergencyRequest request) {
            duringPost.run();
            posts.add(place + " " + card.requestId() + " v" + request.version());
            if (crashAfterPost) throw new IllegalStateException("crash after the platform took the post");
            return new CardRef(place, "m" + posts.size(), request.version());
        }

        /** Like a platform that can tell: the first card posted for the request, in whatever version. */
        @Override
        public Optional<CardRef> find(String place, EmergencyRequest request, java.time.Instant since) {
            for (int i = 0; i < posts.size(); i++)
                if (posts.get(i).startsWith(place + " " + request.id() + " "))
                    return Optional.of(new CardRef(place, "m" + (i + 1), 7));
            return Optional.empty();
        }

        @Override
        public void update(CardRef ref, Card card, EmergencyRequest request) {
            updates.add(ref.place() + " " + ref.message() + " " + card.requestId() + " v" + request.version());
            if (updates.size() == 1) onFirstUpdate.run();
        }

        @Override
        public Optional<String> reply(CardRef ref, Event event, EmergencyRequest request) {
            replies.add(ref.message() + " " + event.type());
            return Optional.of("r" + replies.size());
        }
    }
}
