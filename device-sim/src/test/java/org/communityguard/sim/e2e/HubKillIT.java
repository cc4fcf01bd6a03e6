package org.communityguard.sim.e2e;

import java.nio.file.Path;
import org.communityguard.testkit.DurablePostgres;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hub dies mid-batch: it is killed with SIGKILL at 4 random moments (each 0.2 to 2 s after
 * the restarted hub commits again) while the demo community's 42 devices report ten times a
 * second each and detectors go into alarm, and started again each time on the same database
 * (fsync on) and uplink port. The gateway holds every batch until the hub's commit is
 * acknowledged, and the hub's batch key makes a resent batch a no-op, so every (device, seq) a
 * device got acknowledged is stored exactly once, and every alarm sent during the run is a FIRE
 * incident, once. Four, because a hub start is the slow part (several seconds of JVM, migrations
 * and hashing on a busy 2-core machine) and the whole suite must stay within CI's 20 minutes;
 * {@code deploy/bench.sh faults} kills it 20 times, and {@code -Dfaults.hub-kills=N} changes the
 * count here.
 */
@ExtendWith(RealServers.class)
class HubKillIT {

    @Test
    void killNineOfTheHubMidBatchLosesAndDuplicatesNothing(DurablePostgres postgres, Mosquitto mosquitto,
                                                           @TempDir Path tmp) throws Exception {
        int kills = Integer.getInteger("faults.hub-kills", 4);
        StringBuilder restarts = new StringBuilder();
        FaultChain.Result result;
        try (FaultChain chain = FaultChain.start("hub-kill-it", postgres, mosquitto, tmp)) {
            result = chain.strike(kills, () -> {
                chain.hub.kill9();
                chain.hub.start();
                restarts.append(restarts.length() == 0 ? "" : ", ").append(chain.hub.startMillis());
            });
        }
        System.out.println("hub-kill-it: " + kills + " restarts, ms to healthy: " + restarts);
        result.assertNothingLostOrDuplicated(kills);
    }
}
