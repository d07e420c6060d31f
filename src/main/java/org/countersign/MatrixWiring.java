package org.countersign;

import java.net.http.HttpClient;
import java.time.Duration;
import org.countersign.app.CardLedger;
import org.countersign.app.EventFeed;
import org.countersign.app.KeyValues;
import org.countersign.app.Leases;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.app.Telemetry;
import org.countersign.app.Throttle;
import org.countersign.chat.CardPublisher;
import org.countersign.chat.Cards;
import org.countersign.chat.Privacy;
import org.countersign.matrix.MatrixSettings;
import org.countersign.matrix.MatrixApiErrors;
import org.countersign.matrix.MatrixCards;
import org.countersign.matrix.MatrixClient;
import org.countersign.matrix.MatrixPrivacy;
import org.countersign.matrix.MatrixRooms;
import org.countersign.matrix.MatrixSyncLoop;

/** The Matrix side of the service, wired: the client, the card publisher on the events stream, the leased sync loop. */
final class MatrixWiring {
    private MatrixWiring() {}

    /** The Matrix side: the client, the card publisher on the events stream and the (leased) sync loop. */
    static void start(MatrixSettings settings, RequestService service, KeyValues kv, EventFeed feed,
                                    Leases leases, CardLedger ledger, Main.Running running, String instance, Throttle perUser,
                                    Watches watches, Telemetry telemetry) {
        var client = client(settings, telemetry);
        var watch = settings.securityRoomId() == null ? null
                : watches.watch(new MatrixPrivacy(client(settings, telemetry), new MatrixRooms(settings.roomId(),
                        settings.securityRoomId())));
        var rooms = new MatrixRooms(settings.roomId(), settings.securityRoomId(), watch == null ? Privacy.ASSUMED : watch);
        var cards = new CardPublisher(service, new Cards(service::workflow),
                new MatrixCards(client, service::policy, rooms, kv), kv, leases, ledger, instance);
        if (watch != null) watch.whenPrivate(cards::catchUp).start();
        running.add(new StreamConsumer(feed, MatrixCards.GROUP, instance, cards).inLanes(Main.CARD_LANES).start());
        running.handOver(new MatrixSyncLoop(client, service, leases, kv, rooms, instance, Main.MATRIX_LEASE, Main.MATRIX_LONG_POLL,
                perUser)
                .start());
    }

    /** A client of its own for each user (sync loop and cards, alerts), so neither waits on the other's connections. */
    static MatrixClient client(MatrixSettings settings, Telemetry telemetry) {
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return new MatrixClient(settings.homeserverUrl(), settings.accessToken(), http, Duration.ofSeconds(10))
                .onFailure(new MatrixApiErrors(telemetry));
    }
}
