package org.communityguard.hub.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.auth.Tokens;
import org.communityguard.hub.auth.Users;

/** {@code POST /api/auth/token}: user name and password in, bearer token out. */
public final class AuthApi {

    private final Users users;
    private final Tokens tokens;

    public AuthApi(Users users, Tokens tokens) {
        this.users = users;
        this.tokens = tokens;
    }

    public Response token(Request req) throws Exception {
        JsonNode body = req.jsonBody();
        String username = req.requiredText(body, "username", 64);
        String password = req.requiredText(body, "password", 256);
        Principal who = users.authenticate(username, password)
                .orElseThrow(() -> HttpError.unauthorized("wrong user name or password"));
        Tokens.Issued issued = tokens.issue(who);
        return Response.json(200, req.json().writeValueAsBytes(Map.of(
                "token", issued.token(),
                "expires_at", issued.expiresAt().toString(),
                "role", who.role().wireName())));
    }
}
