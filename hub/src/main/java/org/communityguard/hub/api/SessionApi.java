package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.auth.Sessions;
import org.communityguard.hub.auth.Tokens;

/**
 * The console's sign-in: {@code POST /api/auth/login} sets the session cookie ({@code HttpOnly},
 * {@code SameSite=Strict}, {@code Secure} over HTTPS) and returns the session's CSRF token;
 * {@code GET /api/auth/session} tells a reloaded page who is signed in (and the token again);
 * {@code POST /api/auth/logout} ends the session, or revokes the bearer token it was called with.
 */
public final class SessionApi {

    private final PasswordLogin login;
    private final Sessions sessions;
    private final Tokens tokens;

    public SessionApi(PasswordLogin login, Sessions sessions, Tokens tokens) {
        this.login = login;
        this.sessions = sessions;
        this.tokens = tokens;
    }

    public Response login(Request req) throws Exception {
        // A cross-site form cannot send JSON; requiring it stops login CSRF (signing a victim in as someone else).
        String type = req.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new HttpError(415, "sign in with a JSON body (Content-Type: application/json)");
        }
        JsonNode body = req.jsonBody();
        String username = req.requiredText(body, "username", 64);
        String password = req.requiredText(body, "password", 256);
        Principal who = login.check(username, password, req.peer());
        // Sessions nobody signed out of would pile up; each sign-in sweeps the ended ones.
        sessions.purgeExpired();
        Sessions.Session session = sessions.create(who, req.peer().address());
        DefaultCookie cookie = cookie(session.id(), req.peer().https());
        cookie.setMaxAge(sessions.ttl().toSeconds());
        return Response.json(200, req.json().writeValueAsBytes(describe(who, session)))
                .withHeader(HttpHeaderNames.SET_COOKIE.toString(), ServerCookieEncoder.STRICT.encode(cookie));
    }

    public Response session(Request req) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", req.principal().username());
        body.put("role", req.principal().role().wireName());
        if (req.credential().kind() == Credential.Kind.SESSION) {
            sessions.resolve(req.credential().secret()).ifPresent(s -> {
                body.put("csrf_token", s.csrfToken());
                body.put("expires_at", s.expiresAt().toString());
            });
        }
        return Response.json(200, req.json().writeValueAsBytes(body));
    }

    public Response logout(Request req) throws Exception {
        Response ok = Response.json(200, req.json().writeValueAsBytes(Map.of("signed_out", true)));
        if (req.credential().kind() == Credential.Kind.TOKEN) {
            tokens.revoke(req.credential().secret());
            return ok;
        }
        sessions.delete(req.credential().secret());
        DefaultCookie gone = cookie("", req.peer().https());
        gone.setMaxAge(0);
        return ok.withHeader(HttpHeaderNames.SET_COOKIE.toString(), ServerCookieEncoder.STRICT.encode(gone));
    }

    private static DefaultCookie cookie(String value, boolean https) {
        DefaultCookie c = new DefaultCookie(Authenticator.SESSION_COOKIE, value);
        c.setHttpOnly(true);
        c.setSecure(https);
        c.setSameSite(CookieHeaderNames.SameSite.Strict);
        c.setPath("/");
        return c;
    }

    private static Map<String, Object> describe(Principal who, Sessions.Session session) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("username", who.username());
        body.put("role", who.role().wireName());
        body.put("csrf_token", session.csrfToken());
        body.put("expires_at", session.expiresAt().toString());
        return body;
    }
}
