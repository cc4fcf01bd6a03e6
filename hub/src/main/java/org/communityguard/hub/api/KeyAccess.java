package org.communityguard.hub.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.auth.ApiKeys;
import org.communityguard.hub.auth.KeyRateLimiter;
import org.communityguard.hub.auth.Scope;
import org.communityguard.hub.storage.Tx;

/**
 * What an API key may do, decided in one place for every route (docs/data-sharing.md): a key
 * that is revoked or expired is refused (401), one over its rate is told when to come back (429,
 * {@code Retry-After}), and a route that names none of its scopes is closed to it (403); routes
 * for people name no scope at all. Every request made with a key, whatever its answer, is one
 * row in the audit log ({@code api_key.use}, actor {@code api_key:<id>}), written before the
 * answer leaves: a request whose row cannot be stored is answered 500, not with the data.
 */
public final class KeyAccess {

    /** How a key appears as the actor of its audit rows. */
    public static String actor(String keyId) {
        return "api_key:" + keyId;
    }

    // A client that puts its key in the query string by mistake must not have it stored.
    private static final Pattern KEY_IN_TEXT = Pattern.compile(ApiKeys.PREFIX + "[A-Za-z0-9_-]+");
    private static final int MAX_AUDITED_VALUE = 200;

    private final DataSource dataSource;
    private final ApiKeys keys;
    private final KeyRateLimiter limiter;
    private final AuditLog audit;
    private final Clock clock;
    private final MeterRegistry registry;

    public KeyAccess(DataSource dataSource, ApiKeys keys, KeyRateLimiter limiter, AuditLog audit, Clock clock,
                     MeterRegistry registry) {
        this.dataSource = dataSource;
        this.keys = keys;
        this.limiter = limiter;
        this.audit = audit;
        this.clock = clock;
        this.registry = registry;
    }

    /** Throws the answer when the key may not call this route now. */
    public void admit(Route route, ApiKeys.Key key) {
        Instant now = clock.instant();
        if (key.revokedAt() != null) {
            throw HttpError.unauthorized("API key " + key.id() + " was revoked at " + key.revokedAt());
        }
        if (key.expired(now)) {
            throw HttpError.unauthorized("API key " + key.id() + " expired at " + key.expiresAt());
        }
        KeyRateLimiter.Verdict verdict = limiter.acquire(key.id(), key.ratePerMinute());
        if (!verdict.allowed()) {
            Counter.builder("hub.auth.key.rate.limited").tag("key", key.id())
                    .description("requests refused because their API key was over its rate limit").register(registry)
                    .increment();
            throw HttpError.tooManyRequests("API key " + key.id() + " may make " + key.ratePerMinute()
                    + " requests a minute; retry in " + verdict.retryAfterSeconds() + " s", verdict.retryAfterSeconds());
        }
        if (Collections.disjoint(route.scopes(), key.scopes())) {
            String what = route.method() + " " + route.pattern();
            throw HttpError.forbidden(route.scopes().isEmpty()
                    ? "an API key may not call " + what + ": it is for signed-in users"
                    : what + " needs an API key with one of " + names(route.scopes()) + "; key " + key.id() + " has "
                    + names(key.scopes()));
        }
    }

    /** The audit row of one request made with the key, and its count; throws when the row cannot be stored. */
    public void record(ApiKeys.Key key, Request request, Route route, int status) throws Exception {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("status", status);
        details.put("path", request.path());
        if (!request.query().isEmpty()) {
            Map<String, List<String>> query = new LinkedHashMap<>();
            request.query().forEach((name, values) -> query.put(clean(name), values.stream().map(KeyAccess::clean).toList()));
            details.put("query", query);
        }
        details.put("address", request.peer().address());
        Instant now = clock.instant();
        Tx.run(dataSource, c -> {
            audit.record(c, actor(key.id()), "api_key.use", "route", route.method() + " " + route.pattern(), details);
            keys.touch(c, key, now);
            return null;
        });
        Counter.builder("hub.auth.key.requests").tag("key", key.id()).tag("status", Integer.toString(status))
                .description("requests made with each API key, by answer").register(registry).increment();
    }

    private static String clean(String value) {
        String text = KEY_IN_TEXT.matcher(value).replaceAll(ApiKeys.PREFIX + "(removed)");
        return text.length() > MAX_AUDITED_VALUE ? text.substring(0, MAX_AUDITED_VALUE) + "…" : text;
    }

    private static String names(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wireName).collect(Collectors.joining(", ", "[", "]"));
    }
}
