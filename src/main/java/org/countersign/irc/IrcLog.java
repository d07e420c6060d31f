package org.countersign.irc;

import java.util.List;
import org.countersign.app.RequestService;
import org.countersign.app.StreamConsumer;
import org.countersign.domain.Disclosure;
import org.countersign.domain.Event;
import org.countersign.domain.EventType;
import org.countersign.webhook.AdminLogLine;
import org.countersign.webhook.Integration;

/**
 * A {@code format: irc} integration: the Server Admin Log line of each event it wants ({@code 14:02 EMG-12 approved by
 * SRE (irc:alice)}), said as a NOTICE in its channel. What a confidential request is about is left out unless the
 * integration is marked {@code confidential}, as the {@link Disclosure} rule says of endpoints.
 */
public final class IrcLog implements StreamConsumer.Handler {
    private final Integration integration;
    private final RequestService service;
    private final IrcConnection irc;
    private final AdminLogLine lines;

    public IrcLog(Integration integration, RequestService service, IrcConnection irc) {
        if (integration.format() != Integration.Format.IRC) throw new IllegalArgumentException("not an IRC target");
        this.integration = integration;
        this.service = service;
        this.irc = irc;
        this.lines = AdminLogLine.plain(service::policy);
    }

    @Override
    public void handle(Event event) {
        if (!integration.wants(event.type())) return;
        var request = service.find(event.request());
        if (request.isEmpty()) return;
        boolean hide = Disclosure.hidesFrom(request.get(), new Disclosure.Audience.Endpoint(integration.confidential()));
        var timeline = event.type() == EventType.REQUEST_APPROVED ? service.timeline(request.get().id()) : List.<Event>of();
        var line = lines.line(event, request.get(), timeline, hide);
        irc.send(integration.channel(), List.of(IrcText.fit(IrcText.clean(line), IrcText.LINE_BYTES)));
    }
}
