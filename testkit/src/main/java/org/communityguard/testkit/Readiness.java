package org.communityguard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;

/** Probes that tell when a freshly started server really serves (not just that its port is open). */
final class Readiness {

    /** An MQTT 3.1.1 CONNECT with an empty client id and a clean session. */
    private static final byte[] MQTT_CONNECT = {
            0x10, 12,                          // fixed header: CONNECT, remaining length 12
            0x00, 0x04, 'M', 'Q', 'T', 'T',    // protocol name
            0x04,                              // protocol level 4 = MQTT 3.1.1
            0x02,                              // connect flags: clean session
            0x00, 0x0A,                        // keep-alive 10 s
            0x00, 0x00};                       // client id: empty (the broker assigns one)
    /** CONNACK, remaining length 2, no session present, return code 0 = accepted. */
    private static final byte[] MQTT_CONNACK_ACCEPTED = {0x20, 0x02, 0x00, 0x00};
    private static final byte[] MQTT_DISCONNECT = {(byte) 0xE0, 0x00};

    private Readiness() {
    }

    /** True when a JDBC login to the "postgres" database succeeds now. */
    static boolean acceptsJdbc(String host, int port) {
        Properties properties = new Properties();
        properties.setProperty("user", PostgresBackend.USER);
        properties.setProperty("password", PostgresBackend.PASSWORD);
        properties.setProperty("connectTimeout", "2");
        properties.setProperty("socketTimeout", "5");
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://" + host + ":" + port + "/postgres", properties)) {
            return connection.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * True when the broker answers an MQTT CONNECT with an accepting CONNACK. An open port is not
     * enough: Docker's port proxy accepts connections before the broker inside is up.
     */
    static boolean acceptsMqtt(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write(MQTT_CONNECT);
            out.flush();
            InputStream in = socket.getInputStream();
            boolean accepted = Arrays.equals(in.readNBytes(MQTT_CONNACK_ACCEPTED.length), MQTT_CONNACK_ACCEPTED);
            if (accepted) {
                out.write(MQTT_DISCONNECT);
                out.flush();
            }
            return accepted;
        } catch (IOException e) {
            return false;
        }
    }

    /** True when nothing accepts TCP connections on the port any more. */
    static boolean portClosed(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** A condition that is polled until it holds or a deadline passes. */
    interface Probe {
        boolean ready();
    }

    /** Why waiting stopped early (the process died), or null to keep waiting. */
    interface Failure {
        String reason();
    }

    /**
     * Polls {@code probe} every 100 ms. Returns null once it holds, or a reason when {@code failure}
     * gives one or the timeout passes.
     */
    static String await(Duration timeout, Probe probe, Failure failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (probe.ready()) {
                return null;
            }
            String reason = failure.reason();
            if (reason != null) {
                return reason;
            }
            Processes.sleep(100);
        }
        return "not ready after " + timeout.toSeconds() + " s";
    }
}
