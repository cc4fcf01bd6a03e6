package org.communityguard.hub.api;

/**
 * How a caller proved who they are: a console session cookie or an API bearer token. The
 * secret is kept to end exactly this credential (logout) and to re-check it (live events).
 */
public record Credential(Kind kind, String secret) {

    public enum Kind { SESSION, TOKEN }

    public static Credential session(String id) {
        return new Credential(Kind.SESSION, id);
    }

    public static Credential token(String token) {
        return new Credential(Kind.TOKEN, token);
    }

    @Override
    public String toString() {
        return "Credential[" + kind + "]";
    }
}
