package org.communityguard.sim.e2e;

import java.nio.file.Path;
import org.communityguard.testkit.DurablePostgres;
import org.communityguard.testkit.Mosquitto;
import org.communityguard.testkit.RealServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database dies: PostgreSQL (fsync on) is killed with SIGKILL, postmaster and every backend
 * at once, at 5 random moments under the demo community's load, and restarted each time on the
 * same data directory (crash recovery). The hub acknowledges a batch only after its commit, so
 * whatever was in flight is resent by the gateway and stored once: every (device, seq) a device
 * got acknowledged is stored exactly once, every alarm is a FIRE incident, once.
 * {@code deploy/bench.sh faults} kills it 10 times; {@code -Dfaults.postgres-kills=N} changes the
 * count here.
 */
@ExtendWith(RealServers.class)
class PostgresKillIT {

    @Test
    void killNineOfThePostgresServerLosesAndDuplicatesNothing(DurablePostgres postgres, Mosquitto mosquitto,
                                                              @TempDir Path tmp) throws Exception {
        int kills = Integer.getInteger("faults.postgres-kills", 5);
        FaultChain.Result result;
        try (FaultChain chain = FaultChain.start("postgres-kill-it", postgres, mosquitto, tmp)) {
            result = chain.strike(kills, () -> {
                postgres.kill9();
                postgres.restart();
            });
        }
        result.assertNothingLostOrDuplicated(kills);
    }
}
