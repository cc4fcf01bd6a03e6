package org.communityguard.edge.linkage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Flag;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.PendingCommand;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink;
import org.communityguard.edge.site.Site;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts locally on alarms (联动), whether or not the hub is reachable: a reading that matches a
 * linkage rule of the site file sends the rule's commands to the devices of the trigger's
 * building through {@link DeviceCommands} (MQTT {@code devices/{id}/command}, CoAP
 * {@code /commands/{id}}), logs every action, and records what it did as the gateway's own
 * {@code linkage} event, which the buffer keeps and sends to the hub ahead of routine readings.
 *
 * <p>It acts when it sees the reading, before the buffer has written it: evacuation cannot wait
 * for a disk, and a reading the buffer refuses comes again from its device (the rule's cooldown
 * stops a second round of commands). It never acts on a reading flagged {@code unverified_sender}
 * (identity.DeviceAccess): a device's alarm that anyone could have published opens no door.
 */
public final class Linkage implements ReadingSink {

    private static final Logger log = LoggerFactory.getLogger(Linkage.class);

    private final ReadingSink next;
    private final Site site;
    private final DeviceCommands commands;
    private final String gatewayId;
    private final Clock clock;
    private final Map<String, Long> lastFired = new HashMap<>();
    private final Counter fired;
    private final Counter unverified;

    public Linkage(ReadingSink next, Site site, DeviceCommands commands, String gatewayId, Clock clock, MeterRegistry registry) {
        this.next = next;
        this.site = site;
        this.commands = commands;
        this.gatewayId = gatewayId;
        this.clock = clock;
        this.fired = Counter.builder("edge_linkage_fired_total")
                .description("Linkage rules carried out (commands sent to a building's devices)").register(registry);
        this.unverified = Counter.builder("edge_linkage_unverified_total")
                .description("Linkage triggers not acted on because nothing vouched for their sender (an open broker)")
                .register(registry);
        if (!site.linkage().isEmpty()) {
            log.info("linkage rules: {}", site.linkage().stream().map(LinkageRule::name).toList());
        }
    }

    @Override
    public CompletionStage<Admission> offer(Reading reading) {
        if (reading.kind() == Kind.EVENT && reading.type() != DeviceType.GATEWAY) {
            for (LinkageRule rule : site.linkage()) {
                if (rule.matches(reading) && reading.flags().contains(Flag.UNVERIFIED_SENDER)) {
                    // An open broker lets anyone publish as this device: a forged alarm must not open doors.
                    unverified.increment();
                    log.error("linkage rule {} NOT carried out for {}: its {} came through a broker that lets clients in"
                            + " without an account, so nothing says the device sent it (docs/edge-install.md)",
                            rule.name(), reading.deviceId(), reading.data().path("event").asText());
                } else if (rule.matches(reading)) {
                    try {
                        fire(rule, reading);
                    } catch (RuntimeException e) {
                        // The reading itself must still be buffered.
                        log.error("linkage rule {} failed for {}", rule.name(), reading.deviceId(), e);
                    }
                }
            }
        }
        return next.offer(reading);
    }

    private void fire(LinkageRule rule, Reading trigger) {
        String event = trigger.data().path("event").asText();
        Optional<String> building = site.buildingOf(trigger.deviceId());
        if (building.isEmpty()) {
            log.warn("linkage rule {}: {} {} from {}, which has no building in the site file: nothing to act on",
                    rule.name(), trigger.type().wireName(), event, trigger.deviceId());
            return;
        }
        long now = clock.millis();
        String key = rule.name() + "\u0000" + building.get();
        synchronized (lastFired) {
            Long last = lastFired.get(key);
            if (last != null && now - last < rule.cooldown().toMillis()) {
                log.info("linkage rule {} in building {}: {} {} from {} within the cooldown of the last run, no new commands",
                        rule.name(), building.get(), event, trigger.type().wireName(), trigger.deviceId());
                return;
            }
            lastFired.put(key, now);
        }
        ArrayNode actions = JsonNodeFactory.instance.arrayNode();
        for (LinkageRule.Action action : rule.actions()) {
            List<String> targets = site.devicesIn(building.get(), action.targetType());
            for (String device : targets) {
                PendingCommand sent = commands.send(device, action.command());
                actions.addObject().put("device", device).put("cmd", sent.cmd()).put("id", sent.id());
                log.info("linkage {}: {} {} in building {} -> {} {} {}", rule.name(), trigger.deviceId(), event,
                        building.get(), device, sent.body(), sent.id());
            }
        }
        fired.increment();
        ObjectNode data = JsonNodeFactory.instance.objectNode()
                .put("event", "linkage")
                .put("rule", rule.name())
                .put("trigger_device", trigger.deviceId())
                .put("trigger_event", event)
                .put("building", building.get());
        data.set("actions", actions);
        Reading record = new Reading(gatewayId, DeviceType.GATEWAY, Kind.EVENT, now, null, null, Set.of(), data);
        next.offer(record).whenComplete((admission, failure) -> {
            if (failure != null || admission != Admission.ACCEPTED) {
                log.error("the record of linkage {} for {} could not be buffered ({}); the commands were sent",
                        rule.name(), trigger.deviceId(), failure != null ? failure.toString() : admission);
            }
        });
    }
}
