package org.communityguard.edge.device;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;

/**
 * The one place that decides how a {@link Rejection} is answered on each transport. Transports
 * ask; they never pick a response code or an error body themselves.
 *
 * <table>
 * <caption>Answers</caption>
 * <tr><th>reason</th><th>CoAP</th><th>MQTT</th></tr>
 * <tr><td>{@code unsupported_format}</td><td>4.15</td><td>ack, error JSON</td></tr>
 * <tr><td>{@code too_large}</td><td>4.13 + Size1</td><td>ack, error JSON</td></tr>
 * <tr><td>{@code not_authorized}</td><td>4.03</td><td>ack, error JSON; only a will on another device's event topic gets this far (the broker refuses the rest)</td></tr>
 * <tr><td>{@code overloaded}</td><td>5.03 + Max-Age</td><td>no ack, no error: the broker redelivers</td></tr>
 * <tr><td>any other</td><td>4.00</td><td>ack, error JSON</td></tr>
 * </table>
 * A bad message is acknowledged on MQTT because redelivering it cannot make it good; the error
 * JSON on {@code devices/{id}/error} is how its sender learns why it was dropped. CoAP answers carry
 * the diagnostic as text/plain.
 */
public final class RejectionAnswers {

    /** What an MQTT listener does with a rejected message. */
    public record MqttAnswer(boolean acknowledge, byte[] errorBody) {
        /** Whether there is an error JSON to publish on {@code devices/{id}/error}. */
        public boolean publishError() {
            return errorBody != null;
        }
    }

    private static final MqttAnswer WITHHOLD_ACK = new MqttAnswer(false, null);

    private final long retryAfterSeconds;
    private final int maxPayloadBytes;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param retryAfter      how long an overloaded gateway asks devices to wait (CoAP Max-Age)
     * @param maxPayloadBytes the payload limit, announced in 4.13 answers (Size1, RFC 7959)
     */
    public RejectionAnswers(Duration retryAfter, int maxPayloadBytes) {
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("retryAfter must be positive: " + retryAfter);
        }
        this.retryAfterSeconds = Math.max(1, retryAfter.toSeconds());
        this.maxPayloadBytes = maxPayloadBytes;
    }

    public Duration retryAfter() {
        return Duration.ofSeconds(retryAfterSeconds);
    }

    public ResponseCode coapCode(RejectReason reason) {
        return switch (reason) {
            case UNSUPPORTED_FORMAT -> ResponseCode.UNSUPPORTED_CONTENT_FORMAT;
            case TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE;
            case NOT_AUTHORIZED -> ResponseCode.FORBIDDEN;
            case OVERLOADED -> ResponseCode.SERVICE_UNAVAILABLE;
            default -> ResponseCode.BAD_REQUEST;
        };
    }

    /** The CoAP response for a rejected request. */
    public Response coap(Rejection rejection) {
        Response response = new Response(coapCode(rejection.reason()));
        response.setPayload(rejection.diagnostic());
        response.getOptions().setContentFormat(MediaTypeRegistry.TEXT_PLAIN);
        switch (rejection.reason()) {
            case OVERLOADED -> response.getOptions().setMaxAge(retryAfterSeconds);
            case TOO_LARGE -> response.getOptions().setSize1(maxPayloadBytes);
            default -> {
                // 4.00 / 4.15 carry the diagnostic alone.
            }
        }
        return response;
    }

    /** The MQTT handling of a rejected message. */
    public MqttAnswer mqtt(Rejection rejection) {
        if (rejection.reason() == RejectReason.OVERLOADED) {
            return WITHHOLD_ACK;
        }
        return new MqttAnswer(true, errorJson(rejection));
    }

    /** {@code {"error": "<reason>", "detail": "..."}}, the body published on {@code devices/{id}/error}. */
    public byte[] errorJson(Rejection rejection) {
        ObjectNode body = json.createObjectNode()
                .put("error", rejection.reason().wireName())
                .put("detail", rejection.detail());
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }
}
