package org.communityguard.sim.bench;

import java.util.concurrent.Callable;

/**
 * What a driver's {@code main} does: runs it and exits with its code; a wrong command line
 * (a {@link BenchOptions.UsageException}, or an IllegalArgumentException naming what is wrong)
 * is 2, with the usage; anything unforeseen 3, with its stack trace. It exits explicitly: the
 * clients' threads (Paho, Netty, Californium, JDBC, HTTP) must not keep bench.sh waiting.
 */
public final class DriverMain {

    private DriverMain() {
    }

    public static void exit(String name, String usage, Callable<Integer> driver) {
        int code;
        try {
            code = driver.call();
        } catch (BenchOptions.UsageException | IllegalArgumentException e) {
            System.err.println(name + ": " + e.getMessage());
            System.err.print(usage);
            code = 2;
        } catch (Exception e) {
            System.err.println(name + ": the benchmark could not run: " + e);
            e.printStackTrace();
            code = 3;
        }
        System.exit(code);
    }
}
