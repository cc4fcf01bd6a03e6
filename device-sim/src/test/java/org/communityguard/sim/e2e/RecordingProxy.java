package org.communityguard.sim.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP relay that keeps a copy of every byte a client sent through it: put between the edge
 * agent and the hub, it holds exactly what went over the uplink.
 */
final class RecordingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final ByteArrayOutputStream upstream = new ByteArrayOutputStream();
    private volatile boolean open = true;

    RecordingProxy(int targetPort) throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (open) {
                try {
                    Socket client = server.accept();
                    Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    pump(client.getInputStream(), target.getOutputStream(), true, client, target);
                    pump(target.getInputStream(), client.getOutputStream(), false, client, target);
                } catch (IOException e) {
                    // Closed, or the hub refused: the client sees its connection fail.
                }
            }
        }, "recording-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Everything clients sent so far. */
    byte[] sent() {
        synchronized (upstream) {
            return upstream.toByteArray();
        }
    }

    private void pump(InputStream in, OutputStream out, boolean record, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (record) {
                        synchronized (upstream) {
                            upstream.write(buf, 0, n);
                        }
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // Either side closed.
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, "recording-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        server.close();
    }
}
