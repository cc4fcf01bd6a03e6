package org.communityguard.hub.api;

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

    /** The body as a JSON object, or a 400 that says what is wrong. */
    public JsonNode jsonBody() {
        if (body.length == 0) {
            throw HttpError.badRequest("a JSON body is required");
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                throw HttpError.badRequest("the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw HttpError.badRequest("the body is not valid JSON");
        }
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
