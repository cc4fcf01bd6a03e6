package org.communityguard.sim.e2e;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVMs a test starts (agents, hubs), none of which may outlive its test. An agent left
 * running keeps the gateway's MQTT client id on the shared broker and takes the session from
 * every later test's agent, each kicking the other off every second or two (seen: one agent that
 * did not become healthy in time ran on through five later test classes and failed four of them).
 * So a start that fails destroys its process, and whatever is still alive when the test JVM
 * exits is destroyed by a shutdown hook.
 */
final class ChildProcesses {

    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "e2e-child-processes"));
    }

    private ChildProcesses() {
    }

    /** Starts the process and keeps it until it has exited. */
    static Process start(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return process;
    }

    /** For a start that failed: SIGKILL, and wait until it is gone (its ports and client ids with it). */
    static void destroy(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }
}
