package org.communityguard.edge.device;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/** Device messages for tests, written as JSON text so they read like what devices send. */
final class Messages {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Messages() {
    }

    static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad test JSON: " + text, e);
        }
    }

    /** {"v":1,"type":TYPE,"data":{DATA}} with DATA given as the inside of the object. */
    static ObjectNode message(String type, String data) {
        return json("{\"v\":1,\"type\":\"" + type + "\",\"data\":{" + data + "}}");
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
