package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Reading optional fields of a JSON body, with the same 400 messages everywhere. */
public final class Fields {

    private Fields() {
    }

    /** The JSON body, or an empty object when there is none. */
    public static JsonNode optionalBody(Request req) {
        return req.body().length == 0 ? JsonNodeFactory.instance.objectNode() : req.jsonBody();
    }

    /** A string field that may be absent, null or blank (null), but not another type or too long; trimmed. */
    public static String optionalText(JsonNode body, String field, int maxLength) {
        JsonNode v = body.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw HttpError.badRequest("'" + field + "' must be a string");
        }
        if (v.asText().length() > maxLength) {
            throw HttpError.badRequest("'" + field + "' is longer than " + maxLength + " characters");
        }
        // Blank by what trim() takes away (controls too), or "\u0001" would come back as "".
        String text = v.asText().trim();
        return text.isEmpty() ? null : text;
    }

    /** A whole number in a range; {@code null} when absent and not required. */
    public static Integer integer(JsonNode body, String field, int min, int max, boolean required) {
        JsonNode v = body.path(field);
        if (v.isMissingNode() || v.isNull()) {
            if (required) {
                throw HttpError.badRequest("'" + field + "' is required and must be a whole number from " + min + " to " + max);
            }
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            throw HttpError.badRequest("'" + field + "' must be a whole number from " + min + " to " + max);
        }
        return v.asInt();
    }

    /** A numeric path parameter; anything else is "not found", like an id that does not exist. */
    public static long pathId(Request req, String name, String what) {
        String text = req.pathParams().get(name);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw HttpError.notFound("no " + what + " " + text);
        }
    }
}
