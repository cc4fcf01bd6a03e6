package org.communityguard.sim.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Debian packages of the edge agent and the hub install into an empty root and their services
 * start from the installed files: {@code deploy/lib/package-test.sh}, which says what it checks.
 * It packages the jars the reactor built before this module ({@code --no-build}: a Maven build
 * inside this one would rewrite the hub's and the agent's target directories under the running
 * build), so run it after {@code package} of edge-agent and hub, as {@code mvn verify} does.
 */
class PackagesIT {

    /** Maven runs the tests in the module's directory; the repository is its parent. */
    private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    /** About 15 s on an idle 2-core machine; generous for a loaded one. */
    private static final long TIMEOUT_MINUTES = 5;

    @Test
    void bothPackagesInstallIntoAnEmptyRootAndTheirServicesStart() throws IOException, InterruptedException {
        Path log = Path.of("target", "package-test.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        Process test = new ProcessBuilder(List.of("bash", "deploy/lib/package-test.sh", "--no-build"))
                .directory(REPOSITORY.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean exited = test.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!exited) {
            // Its own EXIT trap stops the hub and agent it started and removes the root.
            test.destroy();
            test.waitFor(1, TimeUnit.MINUTES);
        }
        String output = Files.readString(log);

        assertThat(exited).withFailMessage("package-test.sh still running after %d min:%n%s", TIMEOUT_MINUTES, output)
                .isTrue();
        assertThat(test.exitValue()).withFailMessage("package-test.sh failed:%n%s", output).isZero();
        // Guards against a script that exits 0 before its checks: its last section ran.
        assertThat(output).contains("==== purge from the root ====", "uplink_connected", "/api/health/live: 200");
    }
}
