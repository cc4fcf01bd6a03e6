package org.communityguard.sim.link;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ScheduledExecutorService;

/**
 * A CoAP client of the gateway: one Californium endpoint, one UDP socket on an ephemeral port.
 * Over plain CoAP all battery devices share one ({@link #CoapGateway(URI)}): devices are told
 * apart by the path ({@code /telemetry/{id}}), as in the profile, so a thousand simulated devices
 * cost one socket and one set of Californium threads. Over DTLS the session is the device's
 * identity, so each device with a key has its own ({@link #dtls}), sharing the threads.
 */
public final class CoapGateway implements AutoCloseable {

    private final URI base;
    private final CoapEndpoint endpoint;
    private final CoapClient client = new CoapClient();

    /** @param base the gateway's CoAP URI, e.g. {@code coap://127.0.0.1:5683} */
    public CoapGateway(URI base) {
        if (!"coap".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("CoAP URI '" + base + "': expected coap://host[:port]");
        }
        this.base = base;
        this.endpoint = new CoapEndpoint.Builder()
                .setConfiguration(configuration())
                .setInetSocketAddress(new InetSocketAddress(0))
                .build();
        start();
    }

    private CoapGateway(URI base, CoapEndpoint endpoint, ScheduledExecutorService executor, ScheduledExecutorService timer) {
        this.base = base;
        this.endpoint = endpoint;
        endpoint.setExecutors(executor, timer);
        start();
    }

    /**
     * One device's DTLS client: PSK identity {@code deviceId}, its key; the handshake happens
     * with the first request. The executors are shared by all such clients and outlive them.
     *
     * @param base the gateway's DTLS URI, e.g. {@code coaps://127.0.0.1:5684}
     */
    public static CoapGateway dtls(URI base, String deviceId, byte[] key, ScheduledExecutorService executor,
                                   ScheduledExecutorService timer) {
        if (!"coaps".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("CoAP DTLS URI '" + base + "': expected coaps://host[:port]");
        }
        Configuration config = configuration();
        config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
        config.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 1);
        config.set(DtlsConfig.DTLS_CONNECTOR_THREAD_COUNT, 1);
        DTLSConnector connector = new DTLSConnector(DtlsConnectorConfig.builder(config)
                .setAddress(new InetSocketAddress(0))
                .setAdvancedPskStore(new AdvancedSinglePskStore(deviceId, key))
                .build());
        return new CoapGateway(base, new CoapEndpoint.Builder().setConfiguration(config).setConnector(connector).build(),
                executor, timer);
    }

    /** Built in code, not from Californium3.properties: the simulator must not drop files where it is started. */
    private static Configuration configuration() {
        return new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS, DtlsConfig.DEFINITIONS);
    }

    private void start() {
        try {
            endpoint.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a UDP socket for CoAP: " + e.getMessage(), e);
        }
        client.setEndpoint(endpoint);
    }

    public URI uri(String... segments) {
        String path = base.getPath() == null ? "" : base.getPath().replaceAll("/+$", "");
        return base.resolve(path + "/" + String.join("/", segments));
    }

    /** A confirmable POST; the handler hears the answer, or {@code onError} after CoAP's retransmissions. */
    public void post(URI uri, byte[] payload, int contentFormat, CoapHandler handler) {
        Request request = Request.newPost();
        request.setURI(uri);
        request.getOptions().setContentFormat(contentFormat);
        request.setPayload(payload);
        client.advanced(handler, request);
    }

    public void get(URI uri, CoapHandler handler) {
        Request request = Request.newGet();
        request.setURI(uri);
        client.advanced(handler, request);
    }

    public CoapObserveRelation observe(URI uri, CoapHandler handler) {
        Request request = Request.newGet();
        request.setURI(uri);
        request.setObserve();
        return client.observe(request, handler);
    }

    @Override
    public void close() {
        client.shutdown();
        endpoint.destroy();
    }
}
