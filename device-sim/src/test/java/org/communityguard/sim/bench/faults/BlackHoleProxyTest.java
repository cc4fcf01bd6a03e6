package org.communityguard.sim.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The relay over loopback sockets: forwards, holds everything in a black hole without closing, resumes in order. */
class BlackHoleProxyTest {

    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private ServerSocket target;
    private BlackHoleProxy proxy;

    @AfterEach
    void close() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (target != null) {
            target.close();
        }
    }

    /** A target that keeps what it receives and echoes it back. */
    private void startEchoTarget() throws IOException {
        target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = target.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                byte[] buf = new byte[1024];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (received) {
                        received.write(buf, 0, n);
                    }
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // Closed at the end of the test.
            }
        });
        t.setDaemon(true);
        t.start();
    }

    private String receivedText() {
        synchronized (received) {
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void forwardsHoldsEverythingInTheHoleAndDeliversItInOrderAfterwards() throws Exception {
        startEchoTarget();
        proxy = new BlackHoleProxy(0, new InetSocketAddress(InetAddress.getLoopbackAddress(), target.getLocalPort()));
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            client.setSoTimeout(5000);
            OutputStream out = client.getOutputStream();
            InputStream in = client.getInputStream();
            out.write("one ".getBytes(StandardCharsets.UTF_8));
            assertThat(new String(in.readNBytes(4), StandardCharsets.UTF_8)).isEqualTo("one ");

            proxy.blackHole();
            out.write("two ".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(500);
            assertThat(receivedText()).as("nothing crosses the hole").isEqualTo("one ");
            assertThat(client.isClosed()).isFalse();

            proxy.resume();
            await().atMost(Duration.ofSeconds(5)).until(() -> receivedText().equals("one two "));
            assertThat(new String(in.readNBytes(4), StandardCharsets.UTF_8)).as("the echo, through again").isEqualTo("two ");
        }
    }

    @Test
    void aClientOfADownTargetSeesItsConnectionClosed() throws Exception {
        int closedPort;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = gone.getLocalPort();
        }
        proxy = new BlackHoleProxy(0, new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort));
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            client.setSoTimeout(10_000);
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }
}
