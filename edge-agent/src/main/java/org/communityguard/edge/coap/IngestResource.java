package org.communityguard.edge.coap;

import java.util.List;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Outcome;
import org.communityguard.edge.device.PayloadFormat;
import org.communityguard.edge.device.Protocol;
import org.communityguard.edge.device.Rejection;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code POST /telemetry/{deviceId}} and {@code POST /events/{deviceId}}: hands the payload to
 * {@link DeviceIngest} and answers 2.04 once the reading is buffered, or what
 * {@code RejectionAnswers} says. The answer is sent when the ingest's stage completes, from
 * whichever thread completes it, so no Californium thread waits on the buffer.
 */
final class IngestResource extends CoapResource {

    private final Kind kind;
    private final DeviceIngest ingest;

    IngestResource(String name, Kind kind, DeviceIngest ingest) {
        super(name);
        this.kind = kind;
        this.ingest = ingest;
        getAttributes().setTitle(kind.wireName() + " of a device: POST /" + name + "/{deviceId}");
    }

    /** Every {@code /name/...} path lands here; {@link #handlePOST} keeps only {@code /name/{deviceId}}. */
    @Override
    public Resource getChild(String name) {
        return this;
    }

    @Override
    public void handlePOST(CoapExchange exchange) {
        List<String> path = exchange.getRequestOptions().getUriPath();
        if (path.size() != 2) {
            exchange.respond(ResponseCode.NOT_FOUND);
            return;
        }
        PayloadFormat format = PayloadFormat.fromContentFormat(exchange.getRequestOptions().getContentFormat());
        ingest.ingest(Protocol.COAP, CoapSenders.of(exchange), kind, path.get(1), format, exchange.getRequestPayload())
                .whenComplete((outcome, failure) -> {
                    if (failure != null) {
                        // The ingest does not fail; if it ever did, "retry later" loses nothing.
                        exchange.respond(ingest.answers().coap(Rejection.OVERLOADED));
                    } else if (outcome instanceof Outcome.Rejected rejected) {
                        exchange.respond(ingest.answers().coap(rejected.rejection()));
                    } else {
                        exchange.respond(ResponseCode.CHANGED);
                    }
                });
    }
}
