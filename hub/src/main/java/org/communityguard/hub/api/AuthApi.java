package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.auth.Tokens;

/** {@code POST /api/auth/token}: user name and password in, bearer token out (limited like sign-in). */
public final class AuthApi {

    private final PasswordLogin login;
    private final Tokens tokens;

    public AuthApi(PasswordLogin login, Tokens tokens) {
        this.login = login;
        this.tokens = tokens;
    }

    public Response token(Request req) throws Exception {
        JsonNode body = req.jsonBody();
        String username = req.requiredText(body, "username", 64);
        String password = req.requiredText(body, "password", 256);
        Principal who = login.check(username, password, req.peer());
        Tokens.Issued issued = tokens.issue(who);
        return Response.json(200, req.json().writeValueAsBytes(Map.of(
                "token", issued.token(),
                "expires_at", issued.expiresAt().toString(),
                "role", who.role().wireName())));
    }
}
