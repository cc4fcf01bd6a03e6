package org.communityguard.edge.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class BufferedInputSocketsTest {

    /**
     * Paho connects an unconnected socket from the factory, sets a read timeout and reads byte by
     * byte; a read that times out must leave the stream as it was (Paho polls so for shutdown).
     */
    @Test
    void readsThroughABufferAndSurvivesReadTimeouts() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new BufferedInputSockets().createSocket()) {
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 5_000);
            client.setSoTimeout(200);
            try (Socket peer = server.accept()) {
                InputStream in = client.getInputStream();
                assertThat(in).isInstanceOf(BufferedInputStream.class);
                assertThat(client.getInputStream()).isSameAs(in);
                OutputStream out = peer.getOutputStream();

                out.write(new byte[] {1, 2, 3});
                out.flush();
                assertThat(in.read()).isEqualTo(1);
                assertThat(in.available()).isEqualTo(2);
                assertThat(in.read()).isEqualTo(2);
                assertThat(in.read()).isEqualTo(3);
                assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class);

                out.write(new byte[] {4, 5});
                out.flush();
                assertThat(in.read()).isEqualTo(4);
                assertThat(in.readNBytes(1)).containsExactly(5);
                peer.shutdownOutput();
                assertThat(in.read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void connectingFormsAreBufferedToo() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket client = new BufferedInputSockets().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             Socket peer = server.accept()) {
            assertThat(client.isConnected()).isTrue();
            assertThat(client.getInputStream()).isInstanceOf(BufferedInputStream.class);
            peer.getOutputStream().write(7);
            assertThat(client.getInputStream().read()).isEqualTo(7);
        }
    }
}
