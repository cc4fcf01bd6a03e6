/**
 * Test-only infrastructure: real servers for integration tests.
 * <pre>
 * test ──&#64;ExtendWith(RealServers)──▶ RealServers (ParameterResolver, heals faults after each test)
 *                                     │ first use in this JVM
 *                                     ▼
 *                                  Servers ── Docker works? ──yes──▶ DockerPostgres / DockerMosquitto (Testcontainers)
 *                                     │no
 *                                     ▼
 *                     LocalPostgres / LocalMosquitto (processes on free loopback ports,
 *                     files in ScratchDirs, stopped by a shutdown hook)
 * </pre>
 * Tests see only {@link org.communityguard.testkit.RealServers},
 * {@link org.communityguard.testkit.TimescaleDb}, {@link org.communityguard.testkit.DurablePostgres},
 * {@link org.communityguard.testkit.Database}, {@link org.communityguard.testkit.Mosquitto},
 * {@link org.communityguard.testkit.Chromium}, {@link org.communityguard.testkit.TestCa} (certificates),
 * {@link org.communityguard.testkit.LogbackVariables} (a docs check) and
 * {@link org.communityguard.testkit.FaultProxy} (a link that fails on demand); everything else is package-private.
 *
 * <h2>Two kinds of PostgreSQL</h2>
 * <ul>
 *   <li>{@link org.communityguard.testkit.TimescaleDb}: one server shared by every test of the JVM,
 *       fast (fsync, synchronous_commit and full_page_writes off); tests isolate themselves with
 *       {@code createDatabase()}. It may be paused (SIGSTOP) for a stalled-database test.</li>
 *   <li>{@link org.communityguard.testkit.DurablePostgres}: a server of one fault test's own,
 *       durable as in production (those three settings on, TimescaleDB preloaded when installed),
 *       that the test kills with SIGKILL ({@code kill9()}: postmaster and every backend at once;
 *       {@code docker kill -s KILL} with Docker) and starts again ({@code restart()}: same data
 *       directory, same port, crash recovery; {@code docker start}). With synchronous_commit off,
 *       a commit could be acknowledged before its WAL left PostgreSQL's memory, and a kill would
 *       lose it; that is why fault tests must not use the shared server. Stopped and deleted when
 *       the test ends. A test of a backup procedure may also add postgresql.conf lines, stop it
 *       fast or immediately, run its programs as its OS user and restore into its data directory
 *       (local processes only).</li>
 * </ul>
 * The Docker path of both is written but runs only where a Docker engine works (the project's
 * CI machine has none; there the local processes are used).
 */
package org.communityguard.testkit;
