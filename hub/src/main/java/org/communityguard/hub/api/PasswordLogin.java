package org.communityguard.hub.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.Map;
import org.communityguard.hub.auth.LoginLimiter;
import org.communityguard.hub.auth.Principal;
import org.communityguard.hub.auth.Users;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a user name and password are checked over HTTP (console sign-in and API tokens),
 * behind the {@link LoginLimiter}: too many failures answer 429 with Retry-After, count
 * {@code hub_auth_login_refused_total{by}}, and log one line when a user name or address locks.
 */
public final class PasswordLogin {

    private static final Logger log = LoggerFactory.getLogger(PasswordLogin.class);

    private final Users users;
    private final LoginLimiter limiter;
    private final Map<LoginLimiter.By, Counter> refused = new EnumMap<>(LoginLimiter.By.class);
    private final Counter failed;

    public PasswordLogin(Users users, LoginLimiter limiter, MeterRegistry registry) {
        this.users = users;
        this.limiter = limiter;
        for (LoginLimiter.By by : LoginLimiter.By.values()) {
            refused.put(by, Counter.builder("hub.auth.login.refused").tag("by", by.wireName())
                    .description("logins refused unchecked: too many recent failures for the user name or the address")
                    .register(registry));
        }
        failed = Counter.builder("hub.auth.login.failed").description("logins with a wrong user name or password")
                .register(registry);
    }

    /** The user, or an HttpError: 429 while limited, 401 for a wrong user name or password. */
    public Principal check(String username, String password, Peer peer) throws SQLException {
        LoginLimiter.Verdict verdict = limiter.check(username, peer.address());
        if (!verdict.allowed()) {
            refused.get(verdict.refusedBy()).increment();
            throw HttpError.tooManyRequests("too many failed sign-ins for this "
                    + (verdict.refusedBy() == LoginLimiter.By.USER ? "user name" : "address")
                    + "; try again in " + verdict.retryAfterSeconds() + " s", verdict.retryAfterSeconds());
        }
        var who = users.authenticate(username, password);
        if (who.isEmpty()) {
            failed.increment();
            LoginLimiter.By locked = limiter.recordFailure(username, peer.address());
            if (locked != null) {
                log.warn("sign-in locked for {} after repeated failures: user name '{}', address {}",
                        locked == LoginLimiter.By.USER ? "the user name" : "the address", printable(username), peer.address());
            }
            throw HttpError.unauthorized("wrong user name or password");
        }
        limiter.recordSuccess(username);
        return who.get();
    }

    // A user name is attacker-chosen text: keep control characters out of the log.
    private static String printable(String s) {
        return s.replaceAll("\\p{Cntrl}", "?");
    }
}
