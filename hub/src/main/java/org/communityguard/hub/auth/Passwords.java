package org.communityguard.hub.auth;

import com.password4j.Password;

/**
 * The one hashing policy for every secret the hub keeps (user passwords, gateway secrets):
 * Argon2id with a random salt, via password4j. Nothing here is home-made crypto.
 */
public final class Passwords {

    private Passwords() {
    }

    public static String hash(String secret) {
        return Password.hash(secret).addRandomSalt(16).withArgon2().getResult();
    }

    public static boolean verify(String secret, String hash) {
        if (secret == null || hash == null || hash.isEmpty()) {
            return false;
        }
        try {
            return Password.check(secret, hash).withArgon2();
        } catch (RuntimeException e) {
            // A corrupt stored hash is a failed login, not a crash.
            return false;
        }
    }
}
