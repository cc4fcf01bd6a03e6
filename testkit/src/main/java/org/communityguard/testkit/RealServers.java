package org.communityguard.testkit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests a real TimescaleDB and a real Mosquitto:
 * <pre>
 * &#64;ExtendWith(RealServers.class)
 * class StorageIT {
 *     &#64;Test
 *     void stores(TimescaleDb timescale, Mosquitto mosquitto) {
 *         Database db = timescale.createDatabase();   // fresh and empty, unique name
 *         ...
 *     }
 * }
 * </pre>
 * Test methods, constructors and lifecycle methods may declare {@link TimescaleDb} and
 * {@link Mosquitto} parameters. Each server is started once per test JVM, on first use: with
 * Testcontainers where a Docker engine works, otherwise as throwaway local processes on free
 * loopback ports (installed by deploy/test.sh). Set TESTKIT_SERVERS=local or docker to force one.
 * <p>
 * A fault injected with {@link TimescaleDb#pause()} or {@link Mosquitto#stop()} lasts until the
 * end of the test method (or test class, when injected in {@code @BeforeAll}); after that the
 * server is resumed or restarted, so a failing fault test cannot hang the tests after it.
 * <p>
 * A {@link DurablePostgres} parameter is a server of the test's own, with fsync on, for fault
 * tests that kill the database: started when the parameter is resolved, stopped and deleted when
 * the test (or the class, for {@code @BeforeAll} and constructor parameters) ends.
 */
public final class RealServers implements ParameterResolver, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RealServers.class);
    private static final String FAULT_BEFORE_METHOD = "faultBeforeMethod";

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TimescaleDb.class || type == Mosquitto.class || type == DurablePostgres.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        try {
            if (type == DurablePostgres.class) {
                // One per context; the store closes it (AutoCloseable) when the context ends.
                return context.getStore(NAMESPACE).getOrComputeIfAbsent(DurablePostgres.class,
                        key -> Servers.durablePostgres(), DurablePostgres.class);
            }
            return type == TimescaleDb.class ? Servers.timescale() : Servers.mosquitto();
        } catch (RuntimeException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NAMESPACE).put(FAULT_BEFORE_METHOD, Servers.faultActive());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        // A fault injected in @BeforeAll is meant for every method of the class: leave it to afterAll.
        if (!context.getStore(NAMESPACE).getOrDefault(FAULT_BEFORE_METHOD, Boolean.class, false)) {
            Servers.heal();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Servers.heal();
    }
}
