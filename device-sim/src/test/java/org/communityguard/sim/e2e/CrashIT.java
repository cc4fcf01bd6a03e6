package org.communityguard.sim.e2e;

import java.nio.file.Path;
import org.communityguard.testkit.DurablePostgres;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable by default: the edge agent, a separate process, is killed with SIGKILL at 10 random
 * moments while the demo community's 42 devices report ten times a second each and detectors go
 * into alarm, and restarted each time on the same buffer file. Every (device, seq) a device got
 * acknowledged (by Mosquitto for MQTT devices, by the agent with 2.04 for CoAP devices) is stored
 * at the hub exactly once, and every alarm is a FIRE incident, once. (A CoAP alarm sent while the
 * agent is down is not acknowledged; the detector's next readings still say alarm, and one of
 * them must raise the fire.) {@code deploy/bench.sh faults}
 * kills it 20 times; {@code -Dfaults.agent-kills=N} changes the count here.
 */
@ExtendWith(RealServers.class)
class CrashIT {

    @Test
    void killNineOfTheAgentMidLoadLosesAndDuplicatesNothingAcknowledged(DurablePostgres postgres, Mosquitto mosquitto,
                                                                       @TempDir Path tmp) throws Exception {
        int kills = Integer.getInteger("faults.agent-kills", 10);
        FaultChain.Result result;
        try (FaultChain chain = FaultChain.start("crash-it", postgres, mosquitto, tmp)) {
            result = chain.strike(kills, () -> {
                chain.killAgent();
                // Devices keep reporting while the agent is down: the broker queues MQTT readings.
                chain.pauseBetweenFaults();
                chain.restartAgent();
            });
        }
        result.assertNothingLostOrDuplicated(kills);
    }
}
