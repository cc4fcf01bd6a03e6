package org.communityguard.hub.api;

/**
 * How a caller proved who they are: a console session cookie, an API bearer token, or an API
 * key. The secret is kept to end exactly this credential (logout) and to re-check it (live events).
 */
public record Credential(Kind kind, String secret) {

    public enum Kind { SESSION, TOKEN, KEY }

    public static Credential session(String id) {
        return new Credential(Kind.SESSION, id);
    }

    public static Credential token(String token) {
        return new Credential(Kind.TOKEN, token);
    }

    public static Credential key(String key) {
        return new Credential(Kind.KEY, key);
    }

    @Override
    public String toString() {
        return "Credential[" + kind + "]";
    }
}
