package org.communityguard.sim.bench.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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

    /** A target that keeps what it receives, on every connection, and echoes it back. */
    private void startEchoTarget() throws IOException {
        target = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!target.isClosed()) {
                try {
                    Socket s = target.accept();
                    Thread t = new Thread(() -> echo(s));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return; // closed at the end of the test
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void echo(Socket socket) {
        try (Socket s = socket; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
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
    void aHalfOpenConnectionIsSilentWhileANewOneIsForwarded() throws Exception {
        startEchoTarget();
        proxy = new BlackHoleProxy(0, new InetSocketAddress(InetAddress.getLoopbackAddress(), target.getLocalPort()));
        try (Socket old = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            old.setSoTimeout(5000);
            old.getOutputStream().write("a".getBytes(StandardCharsets.UTF_8));
            assertThat(old.getInputStream().read()).isEqualTo('a');

            proxy.silenceOpen();
            old.getOutputStream().write("b".getBytes(StandardCharsets.UTF_8));
            try (Socket fresh = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                fresh.setSoTimeout(5000);
                fresh.getOutputStream().write("c".getBytes(StandardCharsets.UTF_8));
                assertThat(fresh.getInputStream().read()).as("a new connection is forwarded").isEqualTo('c');
            }
            old.setSoTimeout(500);
            assertThatThrownBy(() -> old.getInputStream().read()).as("the old one is silent, not closed")
                    .isInstanceOf(java.net.SocketTimeoutException.class);

            proxy.resume();
            old.setSoTimeout(5000);
            assertThat(old.getInputStream().read()).as("held, then delivered").isEqualTo('b');
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
