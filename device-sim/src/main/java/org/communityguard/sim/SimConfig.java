package org.communityguard.sim;

import org.communityguard.sim.site.Site;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything a {@link Simulation} needs. Start from {@link #of} and change what differs:
 * <pre>{@code
 * SimConfig.of(site, "tcp://127.0.0.1:1883", URI.create("coap://127.0.0.1:5683"))
 *         .withInterval(Duration.ZERO)          // tests: send rounds by hand
 *         .withTimeOfDay(LocalTime.of(22, 0))   // a night scene
 * }</pre>
 *
 * @param site          the community; one simulated device per entry
 * @param mqttBroker    the gateway's MQTT broker, {@code tcp://host:port}
 * @param coapBase      the gateway's CoAP base URI, {@code coap://host:port}
 * @param interval      time between two telemetry reports of one device; {@link Duration#ZERO} sends
 *                      nothing by itself (tests call {@link Simulation#sendTelemetryRound()}).
 *                      Default 5 s.
 * @param jitter        each interval is drawn from interval × (1 ± jitter), 0 to 0.9, so devices
 *                      do not report in lockstep. Default 0.2.
 * @param clock         the devices' clock: message {@code ts}, door timings. Default: system clock.
 * @param timeOfDay     fixed local time of day for day/night behaviour (lamps, light, door traffic);
 *                      null follows {@code clock} in its zone. Default null.
 * @param seed          seeds every device's sensor noise: same seed, same readings. Default 1.
 * @param devices       ids of the site devices to simulate; empty = all. Default empty.
 * @param ambientEvents whether periodic ticks also produce ordinary life (people badging in).
 *                      Default true; rounds sent by hand never do.
 * @param scenarioStep  time between the steps of a staged scenario (one reading of a rising fire,
 *                      one denied attempt). Default 2 s.
 * @param commandPoll   how often a CoAP device polls {@code /commands/{id}} when Observe fails. Default 3 s.
 * @param ackTimeout    how long a message may wait for its acknowledgement before it counts as
 *                      failed; also how long {@link Simulation#sendTelemetryRound()} waits. Default 30 s.
 * @param keys          device id to its key in hex, as in the gateway's device keys file: a CoAP
 *                      device with a key speaks DTLS to {@code coapsBase} (PSK identity = its id),
 *                      an MQTT device with a key logs in as its id with the hex as password.
 *                      Default none: plain CoAP, anonymous MQTT.
 * @param coapsBase     the gateway's CoAP-over-DTLS base URI, {@code coaps://host:port}; null when
 *                      no device has a key. Default null.
 */
public record SimConfig(Site site, String mqttBroker, URI coapBase, Duration interval, double jitter, Clock clock,
                        LocalTime timeOfDay, long seed, Set<String> devices, boolean ambientEvents,
                        Duration scenarioStep, Duration commandPoll, Duration ackTimeout, Map<String, String> keys,
                        URI coapsBase) {

    public SimConfig {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(mqttBroker, "mqttBroker");
        Objects.requireNonNull(coapBase, "coapBase");
        Objects.requireNonNull(clock, "clock");
        devices = Set.copyOf(devices);
        keys = Map.copyOf(keys);
        if (coapsBase != null && !"coaps".equals(coapsBase.getScheme())) {
            throw new IllegalArgumentException("coapsBase must be coaps://host:port: " + coapsBase);
        }
        requireNotNegative("interval", interval);
        requirePositive("scenarioStep", scenarioStep);
        requirePositive("commandPoll", commandPoll);
        requirePositive("ackTimeout", ackTimeout);
        if (!(jitter >= 0 && jitter <= 0.9)) {
            throw new IllegalArgumentException("jitter must be between 0 and 0.9: " + jitter);
        }
        for (String id : devices) {
            if (site.device(id).isEmpty()) {
                throw new IllegalArgumentException("device '" + id + "' is not in the site file of " + site.community());
            }
        }
    }

    public static SimConfig of(Site site, String mqttBroker, URI coapBase) {
        return new SimConfig(site, mqttBroker, coapBase, Duration.ofSeconds(5), 0.2, Clock.systemDefaultZone(),
                null, 1, Set.of(), true, Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(30), Map.of(), null);
    }

    public SimConfig withInterval(Duration interval) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    public SimConfig withJitter(double jitter) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    public SimConfig withClock(Clock clock) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    public SimConfig withTimeOfDay(LocalTime timeOfDay) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    public SimConfig withSeed(long seed) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    public SimConfig withDevices(Set<String> devices) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    public SimConfig withAmbientEvents(boolean ambientEvents) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    public SimConfig withScenarioStep(Duration scenarioStep) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    public SimConfig withCommandPoll(Duration commandPoll) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    public SimConfig withAckTimeout(Duration ackTimeout) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    /** The devices' keys, and where the gateway serves DTLS for the CoAP devices among them. */
    public SimConfig withKeys(Map<String, String> keys, URI coapsBase) {
        return new SimConfig(site, mqttBroker, coapBase, interval, jitter, clock, timeOfDay, seed, devices,
                ambientEvents, scenarioStep, commandPoll, ackTimeout, keys, coapsBase);
    }

    private static void requireNotNegative(String name, Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be zero or more: " + value);
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be more than zero: " + value);
        }
    }
}
