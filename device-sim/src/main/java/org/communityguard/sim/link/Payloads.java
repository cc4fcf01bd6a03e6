package org.communityguard.sim.link;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import org.communityguard.sim.device.Command;
import org.communityguard.sim.device.Message;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The device profile's body in JSON (MQTT, CoAP Content-Format 50) and CBOR (CoAP Content-Format 60). */
public final class Payloads {

    public static final int CONTENT_FORMAT_JSON = 50;
    public static final int CONTENT_FORMAT_CBOR = 60;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CBOR = new CBORMapper();

    private Payloads() {
    }

    public static byte[] json(Message message) {
        return write(JSON, message);
    }

    public static byte[] cbor(Message message) {
        return write(CBOR, message);
    }

    /** The body as a tree, in the profile's field order: v, type, ts, seq, data. */
    public static ObjectNode body(Message message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("v", Message.VERSION);
        body.put("type", message.type().wireName());
        body.put("ts", message.ts());
        body.put("seq", message.seq());
        body.set("data", JSON.valueToTree(message.data()));
        return body;
    }

    /** Reads a profile body (JSON or CBOR) back into a tree, for tests and tools. */
    public static JsonNode read(byte[] payload, boolean cbor) throws IOException {
        return (cbor ? CBOR : JSON).readTree(payload);
    }

    /**
     * Commands from a downlink payload: one command object or an array of them. Throws when the
     * payload is not JSON/CBOR or any element is not an object with a text {@code cmd}: a gateway
     * that sends that is broken, and half-applying its array would hide it.
     */
    public static List<Command> commands(byte[] payload, boolean cbor) throws IOException {
        JsonNode tree = read(payload, cbor);
        if (tree == null || tree.isMissingNode()) {
            return List.of();
        }
        List<JsonNode> nodes = new ArrayList<>();
        if (tree.isArray()) {
            tree.forEach(nodes::add);
        } else {
            nodes.add(tree);
        }
        List<Command> commands = new ArrayList<>();
        for (JsonNode node : nodes) {
            if (!node.isObject() || !node.path("cmd").isTextual()) {
                throw new IOException("not a command object: " + abbreviate(node.toString()));
            }
            JsonNode id = node.get("id");
            @SuppressWarnings("unchecked")
            Map<String, Object> fields = JSON.convertValue(node, Map.class);
            commands.add(new Command(id == null || id.isNull() ? null : id.asText(), node.get("cmd").asText(), fields));
        }
        return commands;
    }

    /** A payload as text for a log line, cut short. */
    public static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 117) + "...";
    }

    private static byte[] write(ObjectMapper mapper, Message message) {
        try {
            return mapper.writeValueAsBytes(body(message));
        } catch (IOException e) {
            // Only maps of strings, numbers and booleans get here: a failure is a bug, not input.
            throw new IllegalStateException("cannot encode " + message, e);
        }
    }
}
