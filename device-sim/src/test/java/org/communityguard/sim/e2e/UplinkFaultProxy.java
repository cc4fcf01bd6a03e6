package org.communityguard.sim.e2e;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between the edge agent and the hub that can fail the way networks and hubs do:
 * black-hole the connections open now (bytes stop flowing both ways, the sockets stay open, as
 * when a NAT forgets a flow), or swallow the hub's PUBACKs on the first connection while passing
 * everything else (a hub that answers pings but never acknowledges). New connections pass.
 * (Package-private for the uplink fault tests; testkit's FaultProxy is to replace it.)
 */
final class UplinkFaultProxy implements AutoCloseable {

    private static final int PUBACK = 0x40;

    private final ServerSocket server;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean dropFirstConnectionsPubacks;
    private volatile boolean open = true;

    /** One relayed connection. */
    private final class Link {
        final Socket client;
        final Socket target;
        final boolean dropPubacks;
        volatile boolean blackHoled;

        Link(Socket client, Socket target, boolean dropPubacks) {
            this.client = client;
            this.target = target;
            this.dropPubacks = dropPubacks;
        }
    }

    UplinkFaultProxy(int targetPort) throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (open) {
                try {
                    Socket client = server.accept();
                    Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                    Link link = new Link(client, target, accepted.getAndIncrement() == 0 && dropFirstConnectionsPubacks);
                    links.add(link);
                    pump(link, client.getInputStream(), target.getOutputStream(), false);
                    pump(link, target.getInputStream(), client.getOutputStream(), true);
                } catch (IOException e) {
                    // Closed, or the hub refused: the client sees its connection fail.
                }
            }
        }, "uplink-fault-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** The first connection's PUBACKs from the hub are dropped; set before it connects. */
    void dropFirstConnectionsPubacks() {
        dropFirstConnectionsPubacks = true;
    }

    /** Every connection open now stops carrying bytes, both ways, and stays open. */
    void blackHoleOpenConnections() {
        links.forEach(l -> l.blackHoled = true);
    }

    int connections() {
        return accepted.get();
    }

    /** Relays bytes; from the hub, MQTT packet by packet, so PUBACKs can be told apart. */
    private void pump(Link link, InputStream in, OutputStream out, boolean fromHub) {
        Thread t = new Thread(() -> {
            try {
                if (fromHub) {
                    DataInputStream packets = new DataInputStream(in);
                    while (true) {
                        byte[] packet = readPacket(packets);
                        if (link.blackHoled || (link.dropPubacks && (packet[0] & 0xF0) == PUBACK)) {
                            continue;
                        }
                        out.write(packet);
                        out.flush();
                    }
                }
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (!link.blackHoled) {
                        out.write(buf, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // Either side closed.
            } finally {
                closeQuietly(link.client);
                closeQuietly(link.target);
            }
        }, "uplink-fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** One MQTT control packet: fixed header, remaining length (variable byte integer), body. */
    private static byte[] readPacket(DataInputStream in) throws IOException {
        int first = in.readUnsignedByte();
        int length = 0;
        int multiplier = 1;
        byte[] header = new byte[5];
        header[0] = (byte) first;
        int headerLength = 1;
        int b;
        do {
            b = in.readUnsignedByte();
            header[headerLength++] = (byte) b;
            length += (b & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((b & 0x80) != 0 && headerLength < 5);
        byte[] packet = new byte[headerLength + length];
        System.arraycopy(header, 0, packet, 0, headerLength);
        in.readFully(packet, headerLength, length);
        return packet;
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
        for (Link l : links) {
            closeQuietly(l.client);
            closeQuietly(l.target);
        }
    }
}
