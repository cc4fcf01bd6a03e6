package org.communityguard.hub.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * Reading fields that identify a person (a door-access event's credential pseudonym). The console
 * shows a device's readings without them: who came through a door is for an audited lookup,
 * not for a device page.
 */
final class PersonalData {

    static final Set<String> FIELDS = Set.of("subject");

    private PersonalData() {
    }

    static JsonNode strip(JsonNode data) {
        if (!(data instanceof ObjectNode object)) {
            return data;
        }
        ObjectNode copy = object.deepCopy();
        copy.remove(FIELDS);
        return copy;
    }
}
