package org.communityguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against a loopback echo server: forwards, goes silent without closing, resumes losing nothing. */
class FaultProxyTest {

    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread e = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // peer gone
                        }
                    });
                    e.setDaemon(true);
                    e.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        proxy = FaultProxy.to("127.0.0.1", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(proxy.host(), proxy.port());
        s.setSoTimeout(500);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes());
        out.flush();
        return read(s, text.length());
    }

    private static String read(Socket s, int n) throws IOException {
        InputStream in = s.getInputStream();
        byte[] got = in.readNBytes(n);
        return new String(got);
    }

    @Test
    void aBlackholedConnectionStaysOpenSilentAndLosesNothing() throws Exception {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");

            proxy.blackhole();
            s.getOutputStream().write("lost?".getBytes());
            assertThatThrownBy(() -> read(s, 5)).isInstanceOf(SocketTimeoutException.class);
            assertThat(s.isClosed()).isFalse();

            // A new connection takes the healthy path meanwhile.
            try (Socket fresh = connect()) {
                assertThat(roundTrip(fresh, "fresh")).isEqualTo("fresh");
            }

            proxy.resume();
            s.setSoTimeout(5000);
            assertThat(read(s, 5)).isEqualTo("lost?");
        }
    }

    @Test
    void blackholeAllSilencesNewConnectionsToo() throws Exception {
        proxy.blackholeAll();
        try (Socket s = connect()) {
            s.getOutputStream().write("ping".getBytes());
            assertThatThrownBy(() -> read(s, 4)).isInstanceOf(SocketTimeoutException.class);

            proxy.resume();
            s.setSoTimeout(5000);
            assertThat(read(s, 4)).isEqualTo("ping");
        }
    }
}
