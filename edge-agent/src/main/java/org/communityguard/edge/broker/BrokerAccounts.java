package org.communityguard.edge.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.communityguard.edge.identity.DeviceKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded broker's accounts and access list, the same as the Mosquitto files that
 * identity.MosquittoAccounts writes: a device logs in with its id and its key as hex, publishes
 * only on {@code devices/{its id}/telemetry|event|status} and reads only its own
 * {@code command} and {@code error}; the agent reads every device's telemetry, events and
 * statuses and writes every command and error topic. Everything else is refused: a client
 * without an account, or with a wrong password, is not let in (CONNACK 0x04); a PUBLISH outside
 * the list is dropped (Moquette sends no PUBACK for it); a subscription outside it is refused
 * (SUBACK 0x80).
 *
 * <p>Moquette 0.17 publishes a client's will without asking the access list, so a client could
 * leave a will on another device's event topic. This class therefore also keeps a voucher for
 * every event PUBLISH it allowed, and the agent's listener takes one for every event it receives
 * ({@link #vouchesForEvent}): an event without one was not published through the access list (a
 * will), and the agent refuses it ({@code not_authorized}).
 *
 * <p>Each refusal is counted in {@code edge_broker_refused_total{reason}} ({@code bad_credentials},
 * {@code publish_denied}, {@code read_denied}) and logged, at most one line a minute per reason
 * with the number held back, so a client hammering the broker cannot fill the disk. One refusal
 * is not: a CONNECT without a user name is refused by Moquette itself (allow_anonymous off,
 * CONNACK 0x04) before it asks this class, and Moquette 0.17 offers no hook for it. Letting such
 * clients in to count them would cost the clear answer at CONNECT.
 */
public final class BrokerAccounts implements IAuthenticator, IAuthorizatorPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerAccounts.class);
    private static final long LOG_INTERVAL_MS = 60_000;
    private static final String PREFIX = "devices/";

    enum Refusal {
        BAD_CREDENTIALS("bad_credentials"), PUBLISH_DENIED("publish_denied"), READ_DENIED("read_denied");

        final String wireName;

        Refusal(String wireName) {
            this.wireName = wireName;
        }
    }

    private final String agentUser;
    private final byte[] agentPassword;
    private final DeviceKeys keys;
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final Map<Refusal, AtomicLong> lastLogged = new EnumMap<>(Refusal.class);
    private final Map<Refusal, AtomicLong> heldBack = new EnumMap<>(Refusal.class);
    /** Event publishes the access list allowed and the agent has not received yet, per topic. */
    private final Map<String, AtomicLong> eventVouchers = new ConcurrentHashMap<>();

    /**
     * @param agentUser     the agent's own account (it must not be a device id with a key)
     * @param agentPassword its password
     * @param keys          one account per device key
     */
    public BrokerAccounts(String agentUser, String agentPassword, DeviceKeys keys, MeterRegistry registry) {
        this.agentUser = Objects.requireNonNull(agentUser, "agentUser");
        this.agentPassword = agentPassword.getBytes(StandardCharsets.UTF_8);
        this.keys = keys;
        if (keys.deviceIds().contains(agentUser)) {
            throw new IllegalArgumentException("the agent's broker account " + agentUser + " is also a device id with a key");
        }
        for (Refusal refusal : Refusal.values()) {
            refused.put(refusal, Counter.builder("edge_broker_refused_total")
                    .description("What the embedded MQTT broker refused: logins, publishes and subscriptions outside the accounts' access list")
                    .tag("reason", refusal.wireName)
                    .register(registry));
            lastLogged.put(refusal, new AtomicLong(Long.MIN_VALUE));
            heldBack.put(refusal, new AtomicLong());
        }
    }

    @Override
    public boolean checkValid(String clientId, String username, byte[] password) {
        byte[] expected = username == null ? null : username.equals(agentUser) ? agentPassword
                : keys.password(username).map(p -> p.getBytes(StandardCharsets.UTF_8)).orElse(null);
        // Compared in constant time: how long a refusal takes says nothing about the password.
        if (expected != null && password != null && MessageDigest.isEqual(expected, password)) {
            return true;
        }
        refuse(Refusal.BAD_CREDENTIALS, "refused a login to the embedded broker: client {}, user {}: {}", clientId, username,
                expected == null ? "no such account" : "wrong password");
        return false;
    }

    @Override
    public boolean canWrite(Topic topic, String user, String client) {
        String name = topic.toString();
        boolean allowed = user != null && (user.equals(agentUser)
                ? isDeviceTopic(name, null, "command", "error")
                : keys.password(user).isPresent() && isDeviceTopic(name, user, "telemetry", "event", "status"));
        if (!allowed) {
            refuse(Refusal.PUBLISH_DENIED, "dropped a publish on the embedded broker: client {}, user {}, topic {}", client, user, name);
        } else if (!user.equals(agentUser) && name.endsWith("/event")) {
            // Called once per PUBLISH, before Moquette routes it: the event the agent will receive.
            eventVouchers.computeIfAbsent(name, t -> new AtomicLong()).incrementAndGet();
        }
        return allowed;
    }

    @Override
    public boolean canRead(Topic topic, String user, String client) {
        String name = topic.toString();
        boolean allowed = user != null && (user.equals(agentUser)
                ? isDeviceTopic(name, null, "telemetry", "event", "status")
                : keys.password(user).isPresent() && isDeviceTopic(name, user, "command", "error"));
        if (!allowed) {
            refuse(Refusal.READ_DENIED, "refused a subscription on the embedded broker: client {}, user {}, topic {}", client, user, name);
        }
        return allowed;
    }

    /**
     * Whether an event the agent received on {@code topic} came through the access list: takes
     * the voucher its PUBLISH left. False for a will (or a retained event replayed to a new
     * subscription, which a device should not send anyway).
     */
    public boolean vouchesForEvent(String topic) {
        AtomicLong vouchers = eventVouchers.get(topic);
        return vouchers != null && vouchers.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /**
     * Whether {@code topic} is {@code devices/{id}/{leaf}} for one of the leaves: for {@code id}
     * exactly, or, with {@code id} null (the agent), for any one device or the {@code +} wildcard.
     */
    private static boolean isDeviceTopic(String topic, String id, String... leaves) {
        if (!topic.startsWith(PREFIX)) {
            return false;
        }
        int slash = topic.indexOf('/', PREFIX.length());
        if (slash <= PREFIX.length()) {
            return false;
        }
        String level = topic.substring(PREFIX.length(), slash);
        boolean idOk = id == null ? !level.contains("#") && (level.equals("+") || !level.contains("+")) : level.equals(id);
        if (!idOk) {
            return false;
        }
        String leaf = topic.substring(slash + 1);
        for (String allowed : leaves) {
            if (allowed.equals(leaf)) {
                return true;
            }
        }
        return false;
    }

    private void refuse(Refusal refusal, String message, Object... arguments) {
        refused.get(refusal).increment();
        long now = System.currentTimeMillis();
        AtomicLong last = lastLogged.get(refusal);
        long previous = last.get();
        if (previous != Long.MIN_VALUE && now - previous < LOG_INTERVAL_MS || !last.compareAndSet(previous, now)) {
            heldBack.get(refusal).incrementAndGet();
            return;
        }
        long held = heldBack.get(refusal).getAndSet(0);
        LOG.warn(message + (held > 0 ? " (" + held + " similar lines held back)" : ""), arguments);
    }
}
