package org.communityguard.sim.bench.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay between the edge agent and the hub that can become a network black hole: while
 * {@link #blackHole()} lasts, nothing moves in either direction and nothing is closed; bytes
 * and closes wait, as a link that drops every packet leaves them to TCP's retransmissions,
 * and go through at {@link #resume()}. New connections wait unaccepted in the backlog (the
 * client's CONNECT gets no answer). Neither end learns anything until its own timeouts say so.
 *
 * <p>For deploy/bench.sh faults. (The tests' TCP fault proxy lives in testkit; this one runs in
 * the bench driver, which has no test classes.)
 */
public final class BlackHoleProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile boolean holding;
    private volatile boolean open = true;

    public BlackHoleProxy(int listenPort, InetSocketAddress target) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 64);
        this.target = target;
        Thread acceptor = new Thread(this::accept, "black-hole-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** From now on nothing goes through, in either direction, and nothing is closed. */
    public void blackHole() {
        holding = true;
    }

    /** Everything held goes through, in order, and the relay forwards again. */
    public void resume() {
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    private void awaitOpenGate() throws InterruptedException {
        synchronized (gate) {
            while (holding && open) {
                gate.wait();
            }
        }
    }

    private void accept() {
        while (open) {
            try {
                awaitOpenGate();
                Socket client = server.accept();
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 5000);
                } catch (IOException e) {
                    // The hub is down: the client sees its connection closed, as with a refused connect.
                    client.close();
                    continue;
                }
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // Closed, or one failed accept: go on while open.
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try {
                while (true) {
                    // Not read while holding: unread bytes stay in the kernel, and the sender
                    // stalls once its window is full, as over a dead link.
                    awaitOpenGate();
                    int n = in.read(buf);
                    // What was read as the hole opened is held too, not slipped through.
                    awaitOpenGate();
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // Either side closed, or the proxy did.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "black-hole-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(Socket s) {
        sockets.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        open = false;
        resume();
        server.close();
        sockets.forEach(this::closeQuietly);
    }
}
