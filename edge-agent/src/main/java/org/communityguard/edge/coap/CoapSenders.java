package org.communityguard.edge.coap;

import java.security.Principal;
import org.communityguard.edge.identity.Sender;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;

/** Who sent a CoAP request: the PSK identity its DTLS session proved, or nobody over plain UDP. */
final class CoapSenders {

    private CoapSenders() {
    }

    static Sender of(CoapExchange exchange) {
        Principal peer = exchange.advanced().getRequest().getSourceContext().getPeerIdentity();
        if (peer instanceof PreSharedKeyIdentity psk) {
            // The identity alone: a scoped identity's virtual host (SNI) is no part of the device id.
            return Sender.proven(psk.getIdentity());
        }
        return Sender.ANONYMOUS;
    }
}
