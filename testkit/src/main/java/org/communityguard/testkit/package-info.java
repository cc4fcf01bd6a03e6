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
 * {@link org.communityguard.testkit.TimescaleDb}, {@link org.communityguard.testkit.Database} and
 * {@link org.communityguard.testkit.Mosquitto}; everything else is package-private.
 */
package org.communityguard.testkit;
