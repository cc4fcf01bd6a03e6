package org.communityguard.hub.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import java.sql.SQLException;
import java.util.Optional;
import java.time.Clock;
import org.communityguard.hub.auth.ApiKeys;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.auth.Sessions;
import org.communityguard.hub.auth.Tokens;

/**
 * Who is calling: an {@code Authorization: Bearer} token (API clients) or API key ({@code cgk_...},
 * another system: docs/data-sharing.md), else the console's session cookie, which on
 * state-changing requests must come with the session's CSRF token ({@link Csrf}).
 */
public final class Authenticator {

    public static final String SESSION_COOKIE = "cg_session";

    private final Tokens tokens;
    private final Sessions sessions;
    private final ApiKeys keys;
    private final Clock clock;
    private final Counter csrfRefused;
    private final Counter unknownKeys;

    public Authenticator(Tokens tokens, Sessions sessions, ApiKeys keys, Clock clock, MeterRegistry registry) {
        this.tokens = tokens;
        this.sessions = sessions;
        this.keys = keys;
        this.clock = clock;
        this.csrfRefused = Counter.builder("hub.http.csrf.refused")
                .description("session-cookie requests refused for a missing or wrong X-CSRF-Token").register(registry);
        this.unknownKeys = Counter.builder("hub.auth.key.unknown")
                .description("requests refused for an API key that no key is (unknown id, or wrong secret)").register(registry);
    }

    /**
     * An authenticated caller and the credential it used: a user ({@code principal}), or an API
     * key ({@code key}, which {@link KeyAccess} still checks: it may be revoked or expired).
     */
    public record Caller(Principal principal, ApiKeys.Key key, Credential credential) {
    }

    public Caller authenticate(HttpMethod method, HttpHeaders headers) throws SQLException {
        String header = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (header != null) {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw HttpError.unauthorized("only bearer tokens are accepted in Authorization");
            }
            String token = header.substring(7).trim();
            if (ApiKeys.looksLikeKey(token)) {
                ApiKeys.Key key = keys.verify(token).orElseThrow(() -> {
                    unknownKeys.increment();
                    return HttpError.unauthorized("the API key is unknown");
                });
                return new Caller(null, key, Credential.key(token));
            }
            Principal who = tokens.resolve(token)
                    .orElseThrow(() -> HttpError.unauthorized("the token is unknown or expired"));
            return new Caller(who, null, Credential.token(token));
        }
        String sessionId = cookie(headers, SESSION_COOKIE);
        if (sessionId == null) {
            throw HttpError.unauthorized("a bearer token is required (POST /api/auth/token), or a console session"
                    + " (POST /api/auth/login)");
        }
        Sessions.Session session = sessions.resolve(sessionId)
                .orElseThrow(() -> HttpError.unauthorized("the session has ended; sign in again"));
        if (Csrf.needsToken(method) && !Csrf.matches(session.csrfToken(), headers.get(Csrf.HEADER))) {
            csrfRefused.increment();
            throw HttpError.forbidden("a session request that changes something needs the session's "
                    + Csrf.HEADER + " header");
        }
        return new Caller(session.principal(), null, Credential.session(sessionId));
    }

    /** True while the credential still authenticates (not logged out, not expired); records the use. */
    public boolean stillValid(Credential credential) throws SQLException {
        return switch (credential.kind()) {
            case SESSION -> sessions.resolve(credential.secret()).isPresent();
            case TOKEN -> tokens.resolve(credential.secret()).isPresent();
            case KEY -> keys.verify(credential.secret()).filter(k -> k.usable(clock.instant())).isPresent();
        };
    }

    /** The value of a request cookie, or null. */
    public static String cookie(HttpHeaders headers, String name) {
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            Optional<Cookie> found = ServerCookieDecoder.STRICT.decode(header).stream()
                    .filter(c -> c.name().equals(name)).findFirst();
            if (found.isPresent()) {
                return found.get().value();
            }
        }
        return null;
    }
}
