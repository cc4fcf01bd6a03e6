package org.communityguard.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on a free loopback port that forwards to one target and, on command, stops
 * forwarding without closing anything: the network fault that no exception announces. Put it
 * between the code under test and a real server (a database URL, a broker URL pointing at
 * {@link #port()}) and prove that the code notices a silent peer and recovers.
 *
 * <ul>
 *   <li>{@link #blackhole()}: the connections open now go silent, both ways; their sockets stay
 *   open and nothing is lost (at most one buffer per direction is held back, the rest waits in
 *   the kernel's socket buffers). Connections made afterwards are forwarded as usual: a
 *   half-open connection beside a healthy path, as after a NAT or firewall forgot a flow.</li>
 *   <li>{@link #blackholeAll()}: the same, and connections made afterwards are accepted but go
 *   silent too: a dead path.</li>
 *   <li>{@link #resume()}: every connection forwards again, held bytes first.</li>
 * </ul>
 *
 * TCP only, one target, loopback only. Each connection costs two threads; {@link #close()} (or
 * the end of the test) closes every socket.
 */
public final class FaultProxy implements AutoCloseable {

    private static final int BUFFER = 16 * 1024;

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private volatile boolean newLinksSilent;
    private volatile boolean closed;

    private FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "fault-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts forwarding 127.0.0.1:{@link #port()} to {@code host:port}. */
    public static FaultProxy to(String host, int port) {
        try {
            return new FaultProxy(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("testkit: cannot open a proxy port: " + e.getMessage(), e);
        }
    }

    public String host() {
        return server.getInetAddress().getHostAddress();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections open now (accepted and connected to the target, not yet closed by either side). */
    public int openConnections() {
        return links.size();
    }

    /** The connections open now stop forwarding; new connections are forwarded. */
    public void blackhole() {
        links.forEach(l -> l.silent(true));
    }

    /** Every connection, open now or made later, stops forwarding until {@link #resume()}. */
    public void blackholeAll() {
        newLinksSilent = true;
        blackhole();
    }

    /** Everything forwards again. */
    public void resume() {
        newLinksSilent = false;
        links.forEach(l -> l.silent(false));
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        links.forEach(Link::close);
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            Link link = new Link(client, upstream, newLinksSilent);
            links.add(link);
            link.start();
        }
    }

    /** One proxied connection: two pumps, one per direction, that share the silent switch. */
    private final class Link {
        private final Socket client;
        private final Socket upstream;
        private boolean silent;
        private boolean ended;

        Link(Socket client, Socket upstream, boolean silent) {
            this.client = client;
            this.upstream = upstream;
            this.silent = silent;
        }

        void start() {
            String name = "fault-proxy-" + client.getPort();
            Thread up = new Thread(() -> pump(client, upstream), name + "-up");
            Thread down = new Thread(() -> pump(upstream, client), name + "-down");
            up.setDaemon(true);
            down.setDaemon(true);
            up.start();
            down.start();
        }

        synchronized void silent(boolean value) {
            silent = value;
            notifyAll();
        }

        private synchronized void awaitFlowing() throws InterruptedException {
            while (silent && !ended && !closed) {
                wait();
            }
        }

        private void pump(Socket from, Socket to) {
            byte[] buf = new byte[BUFFER];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                while (true) {
                    awaitFlowing();
                    int n = in.read(buf);
                    // What a read returns just as the link went silent, bytes or the peer's close,
                    // is held until resume: a half-open path tells the other side nothing, not
                    // even that this side gave up (a client's abort must not end the server's
                    // transaction for it).
                    awaitFlowing();
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (SocketException e) {
                // the other pump or close() closed the sockets
            } catch (IOException e) {
                // the peer reset the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        }

        void close() {
            links.remove(this);
            synchronized (this) {
                ended = true;
                notifyAll();
            }
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
