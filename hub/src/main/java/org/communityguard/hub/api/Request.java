package org.communityguard.hub.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.communityguard.hub.auth.Principal;

/**
 * One HTTP request as handlers see it: already routed, body fully read, caller resolved.
 *
 * @param principal  the authenticated caller, or null on public routes
 * @param peer       the client's address and whether it came over HTTPS
 * @param credential how the caller authenticated (session or token), or null on public routes
 */
public record Request(
        HttpMethod method,
        String path,
        Map<String, String> pathParams,
        Map<String, List<String>> query,
        HttpHeaders headers,
        byte[] body,
        Principal principal,
        ObjectMapper json,
        Peer peer,
        Credential credential) {

    public String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    public int intQueryParam(String name, int defaultValue, int min, int max) {
        String text = queryParam(name);
        if (text == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(text);
            if (value < min || value > max) {
                throw HttpError.badRequest("'" + name + "' must be " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("'" + name + "' must be a whole number");
        }
    }

    /** An instant ({@code 2026-03-01T08:00:00Z}) or a date ({@code 2026-03-01}, midnight UTC); {@code absent} when not given. */
    public Instant timeParam(String name, Instant absent) {
        String text = queryParam(name);
        if (text == null) {
            return absent;
        }
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw HttpError.badRequest("'" + name + "' must be a date (2026-03-01) or a UTC time (2026-03-01T08:00:00Z)");
        }
    }

    /** Whether to answer CSV: {@code format=csv|json} wins; without it, an Accept header that puts text/csv first. */
    public boolean wantsCsv() {
        String format = queryParam("format");
        if (format != null) {
            if (!format.equals("csv") && !format.equals("json")) {
                throw HttpError.badRequest("'format' must be csv or json");
            }
            return format.equals("csv");
        }
        String accept = headers == null ? null : headers.get("Accept");
        return accept != null && accept.trim().toLowerCase(Locale.ROOT).startsWith("text/csv");
    }

    /**
     * The body as a JSON object, or a 400 that says what is wrong: the one place request bodies are
     * parsed. One object and nothing after it ({@code {"rating":5}{"rating":1}} is not a body), each
     * key once (readers disagree on which of two to take), and no text the database cannot store:
     * U+0000 or a surrogate without its pair, valid as JSON escapes, would come back as a 500.
     */
    public JsonNode jsonBody() {
        if (body.length == 0) {
            throw HttpError.badRequest("a JSON body is required");
        }
        JsonNode node;
        try {
            node = json.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(body);
        } catch (IOException e) {
            String message = e instanceof JsonProcessingException p ? p.getOriginalMessage() : null;
            throw HttpError.badRequest(message != null && message.startsWith("Duplicate field")
                    ? "the body names a field twice" : "the body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw HttpError.badRequest("the body must be a JSON object");
        }
        if (!storable(node)) {
            throw HttpError.badRequest("the body holds U+0000 or a surrogate without its pair, which cannot be stored");
        }
        return node;
    }

    private static boolean storable(JsonNode node) {
        if (node.isTextual()) {
            return storable(node.textValue());
        }
        for (var fields = node.fields(); fields.hasNext(); ) {
            var field = fields.next();
            if (!storable(field.getKey()) || !storable(field.getValue())) {
                return false;
            }
        }
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            if (!storable(node.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean storable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    public String requiredText(JsonNode body, String field, int maxLength) {
        JsonNode v = body.path(field);
        if (!v.isTextual() || v.asText().isEmpty()) {
            throw HttpError.badRequest("'" + field + "' is required and must be a string");
        }
        if (v.asText().length() > maxLength) {
            throw HttpError.badRequest("'" + field + "' is longer than " + maxLength + " characters");
        }
        return v.asText();
    }
}
