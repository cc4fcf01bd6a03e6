package org.communityguard.hub.auth;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Limits password guessing: at most {@code maxPerUser} failed logins per user name and
 * {@code maxPerAddress} per client address within a sliding {@code window}. A key over its limit
 * is refused before the password is even checked (no Argon2 work for an attacker), until its
 * oldest failure in the window ages out. A successful login clears the user name's failures,
 * not the address's.
 *
 * <p>Memory is bounded: at most {@code maxKeys} keys, each a ring of at most its limit's
 * timestamps; the least recently used key goes first. A key under attack is in constant use, so
 * a flood of other keys does not evict it.
 */
public final class LoginLimiter {

    /** Which limit refused a login. */
    public enum By {
        USER, ADDRESS;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The answer to "may this login be tried now?": when not, by which limit and for how long. */
    public record Verdict(By refusedBy, long retryAfterSeconds) {

        static final Verdict ALLOWED = new Verdict(null, 0);

        public boolean allowed() {
            return refusedBy == null;
        }
    }

    private final int maxPerUser;
    private final int maxPerAddress;
    private final long windowMillis;
    private final LongSupplier nowMillis;
    private final Map<String, Failures> keys;

    public LoginLimiter(int maxPerUser, int maxPerAddress, Duration window, int maxKeys, LongSupplier nowMillis) {
        if (maxPerUser < 1 || maxPerAddress < 1 || maxKeys < 2 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("limits, window and key count must be positive");
        }
        this.maxPerUser = maxPerUser;
        this.maxPerAddress = maxPerAddress;
        this.windowMillis = window.toMillis();
        this.nowMillis = nowMillis;
        this.keys = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
                return size() > maxKeys;
            }
        };
    }

    public synchronized Verdict check(String user, String address) {
        long now = nowMillis.getAsLong();
        long userWait = wait(userKey(user), now);
        long addressWait = wait(addressKey(address), now);
        if (userWait == 0 && addressWait == 0) {
            return Verdict.ALLOWED;
        }
        return userWait >= addressWait
                ? new Verdict(By.USER, seconds(userWait))
                : new Verdict(By.ADDRESS, seconds(addressWait));
    }

    /** Records a failed login; returns the limit this failure exhausted, or null (for the one log line per lock). */
    public synchronized By recordFailure(String user, String address) {
        long now = nowMillis.getAsLong();
        boolean userLocked = record(userKey(user), maxPerUser, now);
        boolean addressLocked = record(addressKey(address), maxPerAddress, now);
        return userLocked ? By.USER : addressLocked ? By.ADDRESS : null;
    }

    public synchronized void recordSuccess(String user) {
        keys.remove(userKey(user));
    }

    /** Keys currently held (bounded by maxKeys). */
    public synchronized int trackedKeys() {
        return keys.size();
    }

    /** Adds a failure; true when this failure is the one that locked the key. */
    private boolean record(String key, int limit, long now) {
        boolean lockedBefore = wait(key, now) > 0;
        keys.computeIfAbsent(key, k -> new Failures(limit)).add(now);
        return !lockedBefore && wait(key, now) > 0;
    }

    private long wait(String key, long now) {
        Failures f = keys.get(key);
        if (f == null || !f.full()) {
            return 0;
        }
        long until = f.oldest() + windowMillis;
        return Math.max(0, until - now);
    }

    private static long seconds(long millis) {
        return Math.max(1, (millis + 999) / 1000);
    }

    private static String userKey(String user) {
        return "u:" + user.toLowerCase(Locale.ROOT);
    }

    private static String addressKey(String address) {
        return "a:" + address;
    }

    /** The most recent failures of one key, oldest first, at most {@code limit} of them. */
    private static final class Failures {
        private final long[] times;
        private int start;
        private int count;

        Failures(int limit) {
            times = new long[limit];
        }

        void add(long now) {
            if (count < times.length) {
                times[(start + count) % times.length] = now;
                count++;
            } else {
                times[start] = now;
                start = (start + 1) % times.length;
            }
        }

        boolean full() {
            return count == times.length;
        }

        long oldest() {
            return times[start];
        }
    }
}
