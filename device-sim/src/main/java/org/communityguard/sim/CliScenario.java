package org.communityguard.sim;

import org.communityguard.sim.site.DeviceType;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteDevice;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/** The scenarios {@code --stage WHEN:SCENARIO:TARGET} can name, each mapped to its {@link Simulation} method. */
enum CliScenario {
    FIRE("fire", null, "building id", Simulation::stageFire),
    TEST_BUTTON("test-button", DeviceType.SMOKE_DETECTOR, "smoke detector id", Simulation::pressTestButton),
    COVER("cover", DeviceType.MANHOLE, "manhole id", Simulation::displaceCover),
    WATER("water", DeviceType.MANHOLE, "manhole id", Simulation::raiseWater),
    GAS("gas", DeviceType.MANHOLE, "manhole id", Simulation::releaseToxicGas),
    LEAKAGE("leakage", DeviceType.LAMP_POST, "lamp-post id", Simulation::leakInRain),
    FORCED_DOOR("forced-door", DeviceType.DOOR_ACCESS, "door id", Simulation::forceDoor),
    HELD_DOOR("held-door", DeviceType.DOOR_ACCESS, "door id",
            (sim, door) -> sim.holdDoorOpen(door, Duration.ofSeconds(90))),
    BRUTE_FORCE("brute-force", DeviceType.DOOR_ACCESS, "door id", (sim, door) -> sim.bruteForce(door, 8)),
    SILENCE("silence", null, "device id", Simulation::silence),
    REVIVE("revive", null, "device id", Simulation::revive),
    RESET("reset", null, "device id", Simulation::reset);

    private final String cliName;
    /** The device type the target must be; null for "a building" (fire) or "any device". */
    private final DeviceType targetType;
    private final String targetDescription;
    private final BiConsumer<Simulation, String> run;

    CliScenario(String cliName, DeviceType targetType, String targetDescription, BiConsumer<Simulation, String> run) {
        this.cliName = cliName;
        this.targetType = targetType;
        this.targetDescription = targetDescription;
        this.run = run;
    }

    static Optional<CliScenario> byName(String name) {
        return Arrays.stream(values()).filter(s -> s.cliName.equals(name)).findFirst();
    }

    static String names() {
        return Arrays.stream(values()).map(s -> s.cliName + " (" + s.targetDescription + ")")
                .collect(Collectors.joining(", "));
    }

    String cliName() {
        return cliName;
    }

    void run(Simulation simulation, String target) {
        run.accept(simulation, target);
    }

    /** Checks the target against the site before anything starts; empty when fine, else the problem. */
    Optional<String> check(Site site, Set<String> simulated, String target) {
        if (this == FIRE) {
            boolean hasDetector = site.devices().stream().anyMatch(d -> d.type() == DeviceType.SMOKE_DETECTOR
                    && target.equals(d.building()) && (simulated.isEmpty() || simulated.contains(d.id())));
            return hasDetector ? Optional.empty()
                    : Optional.of("fire: building '" + target + "' has no simulated smoke detector");
        }
        Optional<SiteDevice> device = site.device(target);
        if (device.isEmpty() || !(simulated.isEmpty() || simulated.contains(target))) {
            return Optional.of(cliName + ": no simulated device '" + target + "'");
        }
        if (targetType != null && device.get().type() != targetType) {
            return Optional.of(cliName + ": " + target + " is a " + device.get().type().wireName()
                    + ", expected a " + targetType.wireName());
        }
        return Optional.empty();
    }
}
