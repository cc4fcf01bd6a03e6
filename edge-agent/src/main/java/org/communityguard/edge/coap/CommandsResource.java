package org.communityguard.edge.coap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Optional;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceIds;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.device.PayloadFormat;
import org.communityguard.edge.device.PendingCommand;
import org.communityguard.edge.device.Protocol;
import org.communityguard.edge.device.RejectReason;
import org.communityguard.edge.device.Rejection;
import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.CoAP.Type;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.observe.ObserveRelation;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.core.server.resources.Resource;

/**
 * {@code GET /commands/{deviceId}}: the device's pending commands as a JSON (or, with Accept 60,
 * CBOR) array, oldest first; {@code []} when there are none. Observable: when a command is queued
 * or acknowledged, only the observers of that device are notified, with confirmable
 * notifications, so a sleeping NB-IoT device that stopped listening is noticed and dropped.
 */
final class CommandsResource extends CoapResource implements DeviceCommands.Listener {

    private final DeviceCommands commands;
    private final DeviceIngest ingest;

    CommandsResource(DeviceCommands commands, DeviceIngest ingest) {
        super("commands");
        this.commands = commands;
        this.ingest = ingest;
        setObservable(true);
        setObserveType(Type.CON);
        getAttributes().setObservable();
        getAttributes().setTitle("pending commands of a device: GET /commands/{deviceId}");
    }

    @Override
    public Resource getChild(String name) {
        return this;
    }

    @Override
    public void handleGET(CoapExchange exchange) {
        List<String> path = exchange.getRequestOptions().getUriPath();
        if (path.size() != 2) {
            exchange.respond(ResponseCode.NOT_FOUND);
            return;
        }
        String deviceId = path.get(1);
        if (!DeviceIds.isValid(deviceId)) {
            exchange.respond(ingest.answers().coap(Rejection.of(RejectReason.BAD_DEVICE_ID,
                    "\"" + DeviceIds.printable(deviceId) + "\" is not 1 to 64 of A-Z a-z 0-9 . _ -")));
            return;
        }
        // A device's commands are its own: a door's release is no business of the lamp next to it.
        Optional<Rejection> refused = ingest.refusal(Protocol.COAP, CoapSenders.of(exchange), deviceId);
        if (refused.isPresent()) {
            exchange.respond(ingest.answers().coap(refused.get()));
            return;
        }
        PayloadFormat format = PayloadFormat.JSON;
        if (exchange.getRequestOptions().hasAccept()) {
            format = PayloadFormat.fromContentFormat(exchange.getRequestOptions().getAccept());
            if (format != PayloadFormat.JSON && format != PayloadFormat.CBOR) {
                exchange.respond(ResponseCode.NOT_ACCEPTABLE, "commands are served as application/json (50) or application/cbor (60)",
                        MediaTypeRegistry.TEXT_PLAIN);
                return;
            }
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (PendingCommand command : commands.pending(deviceId)) {
            list.add(command.body());
        }
        Response response = new Response(ResponseCode.CONTENT);
        response.setPayload(ingest.codec().encode(format, list));
        response.getOptions().setContentFormat(format.contentFormat());
        exchange.respond(response);
    }

    @Override
    public void changed(String deviceId) {
        changed(relation -> deviceId.equals(deviceOf(relation)));
    }

    private static String deviceOf(ObserveRelation relation) {
        Request request = relation.getExchange().getRequest();
        List<String> path = request.getOptions().getUriPath();
        return path.size() == 2 ? path.get(1) : null;
    }
}
