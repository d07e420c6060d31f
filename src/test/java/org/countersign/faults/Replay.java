package org.countersign.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.countersign.domain.EmergencyRequest;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;

/** A request's timeline read from the start: it must arrive at the request as stored, step by step. */
final class Replay {
    private Replay() {}

    /** Versions 1 to the request's without a gap, unique ids, the last state, and the approvals added and not cleared. */
    static void assertTimelineLeadsTo(EmergencyRequest request, List<Event> timeline) {
        var what = request.id() + " " + timeline.stream().map(e -> e.id() + " " + e.type().wire()).toList();
        assertThat(timeline).as(what).isNotEmpty();
        assertThat(timeline.get(0).type()).as(what).isEqualTo(EventType.REQUEST_OPENED);
        assertThat(timeline).extracting(Event::id).as(what).doesNotHaveDuplicates();
        long version = 0;
        var approvals = new ArrayList<String>();
        for (var e : timeline) {
            assertThat(e.version()).as(what + ": versions go up one save at a time").isIn(version, version + 1);
            version = e.version();
            if (e.type() == EventType.APPROVAL_ADDED) approvals.add(e.team() + " by " + e.actor());
            if (e.type() == EventType.APPROVALS_CLEARED) approvals.clear();
        }
        assertThat(version).as(what + ": the last event is of the request's version").isEqualTo(request.version());
        assertThat(timeline.get(timeline.size() - 1).state()).as(what).isEqualTo(request.state());
        assertThat(approvals).as(what + ": approvals in the timeline")
                .containsExactlyInAnyOrderElementsOf(request.approvals().stream().map(a -> a.team() + " by " + a.by()).toList());
    }
}
