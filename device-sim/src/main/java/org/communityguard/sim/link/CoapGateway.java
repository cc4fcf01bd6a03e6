package org.communityguard.sim.link;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * The one CoAP client all battery devices share: one Californium endpoint, one UDP socket on an
 * ephemeral port. Devices are told apart by the path ({@code /telemetry/{id}}), as in the profile,
 * so a thousand simulated devices cost one socket and one set of Californium threads.
 */
public final class CoapGateway implements AutoCloseable {

    private final URI base;
    private final CoapEndpoint endpoint;
    private final CoapClient client;

    /** @param base the gateway's CoAP URI, e.g. {@code coap://127.0.0.1:5683} */
    public CoapGateway(URI base) {
        if (!"coap".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("CoAP URI '" + base + "': expected coap://host[:port]");
        }
        this.base = base;
        // Built in code, not from Californium3.properties: the simulator must not drop files
        // into whatever directory it is started from.
        Configuration config = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        this.endpoint = new CoapEndpoint.Builder()
                .setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress(0))
                .build();
        try {
            endpoint.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot open a UDP socket for CoAP: " + e.getMessage(), e);
        }
        this.client = new CoapClient();
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
