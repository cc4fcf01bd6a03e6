package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.ApiKeys;
import org.communityguard.hub.auth.Scope;
import org.communityguard.hub.storage.Tx;

/**
 * API keys for other systems, managed by property managers and admins (docs/data-sharing.md):
 * {@code POST /api/keys} creates one and answers the key, this once; {@code GET /api/keys} lists
 * them without it; {@code DELETE /api/keys/{id}} revokes one (the row stays, the audit log names
 * it). Creating and revoking are audited in the same transaction.
 */
public final class ApiKeyApi {

    private static final int MAX_RATE = 100_000;

    private final DataSource dataSource;
    private final ApiKeys keys;
    private final AuditLog audit;
    private final int defaultRate;
    private final Clock clock;

    /** @param defaultRate requests a minute of a key whose creator gives none ({@code auth.api-key-rate-per-minute}) */
    public ApiKeyApi(DataSource dataSource, ApiKeys keys, AuditLog audit, int defaultRate, Clock clock) {
        this.dataSource = dataSource;
        this.keys = keys;
        this.audit = audit;
        this.defaultRate = defaultRate;
        this.clock = clock;
    }

    /** A key as the API shows it; {@code status} is active, expired or revoked. */
    public record KeyView(String id, String name, String owner, List<String> scopes, int ratePerMinute, String createdBy,
                          Instant createdAt, Instant expiresAt, Instant revokedAt, String revokedBy, Instant lastUsedAt,
                          String status) {
    }

    private KeyView view(ApiKeys.Key k) {
        Instant now = clock.instant();
        String status = k.revokedAt() != null ? "revoked" : k.expired(now) ? "expired" : "active";
        return new KeyView(k.id(), k.name(), k.owner(), k.scopes().stream().map(Scope::wireName).toList(), k.ratePerMinute(),
                k.createdBy(), k.createdAt(), k.expiresAt(), k.revokedAt(), k.revokedBy(), k.lastUsedAt(), status);
    }

    public Response create(Request req) throws Exception {
        JsonNode body = req.jsonBody();
        String name = req.requiredText(body, "name", 100);
        String owner = req.requiredText(body, "owner", 200);
        Set<Scope> scopes = scopes(body.path("scopes"));
        int rate = rate(body.path("rate_per_minute"));
        Instant expires = expiry(body.path("expires_at"));
        String who = req.principal().username();
        ApiKeys.Issued issued = Tx.run(dataSource, c -> {
            ApiKeys.Issued i = keys.create(c, name, owner, scopes, rate, expires, who);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("name", name);
            details.put("owner", owner);
            details.put("scopes", scopes.stream().map(Scope::wireName).toList());
            details.put("rate_per_minute", rate);
            details.put("expires_at", expires == null ? null : expires.toString());
            audit.record(c, who, "api_key.create", "api_key", i.key().id(), details);
            return i;
        });
        ObjectNode answer = req.json().valueToTree(view(issued.key()));
        answer.put("key", issued.secret());
        return Response.json(201, req.json().writeValueAsBytes(answer));
    }

    public Response list(Request req) throws Exception {
        List<KeyView> all = Tx.run(dataSource, c -> keys.list(c).stream().map(this::view).toList());
        return Response.json(200, req.json().writeValueAsBytes(Map.of("keys", all)));
    }

    public Response revoke(Request req) throws Exception {
        String id = req.pathParams().get("id");
        String who = req.principal().username();
        KeyView revoked = Tx.run(dataSource, c -> {
            Optional<ApiKeys.Key> k = keys.revoke(c, id, who, clock.instant());
            if (k.isEmpty()) {
                throw keys.find(c, id).isPresent() ? new HttpError(409, "API key " + id + " is already revoked")
                        : HttpError.notFound("no API key " + id);
            }
            audit.record(c, who, "api_key.revoke", "api_key", id, Map.of("name", k.get().name(), "owner", k.get().owner()));
            return view(k.get());
        });
        return Response.json(200, req.json().writeValueAsBytes(revoked));
    }

    private static Set<Scope> scopes(JsonNode node) {
        String known = String.join(", ", EnumSet.allOf(Scope.class).stream().map(Scope::wireName).toList());
        if (!node.isArray() || node.isEmpty()) {
            throw HttpError.badRequest("'scopes' must be a list of one or more of " + known);
        }
        Set<Scope> out = EnumSet.noneOf(Scope.class);
        for (JsonNode s : node) {
            out.add(Scope.fromWireName(s.asText()).orElseThrow(() ->
                    HttpError.badRequest("unknown scope '" + s.asText() + "'; scopes are " + known)));
        }
        return out;
    }

    private int rate(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return defaultRate;
        }
        if (!node.canConvertToInt() || !node.isIntegralNumber() || node.asInt() < 1 || node.asInt() > MAX_RATE) {
            throw HttpError.badRequest("'rate_per_minute' must be a whole number from 1 to " + MAX_RATE);
        }
        return node.asInt();
    }

    private Instant expiry(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        Instant at;
        try {
            at = Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw HttpError.badRequest("'expires_at' must be a UTC time like 2027-01-01T00:00:00Z, or absent (never)");
        }
        if (!at.isAfter(clock.instant())) {
            throw HttpError.badRequest("'expires_at' must be in the future");
        }
        return at;
    }
}
