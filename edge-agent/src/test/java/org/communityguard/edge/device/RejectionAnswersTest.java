package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.coap.Response;
import org.junit.jupiter.api.Test;

class RejectionAnswersTest {

    private final RejectionAnswers answers = new RejectionAnswers(Duration.ofSeconds(30), 1024);

    @Test
    void coapCodesPerReason() {
        for (RejectReason reason : RejectReason.values()) {
            ResponseCode expected = switch (reason) {
                case UNSUPPORTED_FORMAT -> ResponseCode.UNSUPPORTED_CONTENT_FORMAT;    // 4.15
                case TOO_LARGE -> ResponseCode.REQUEST_ENTITY_TOO_LARGE;               // 4.13
                case OVERLOADED -> ResponseCode.SERVICE_UNAVAILABLE;                   // 5.03
                case NOT_AUTHORIZED -> ResponseCode.FORBIDDEN;                         // 4.03
                default -> ResponseCode.BAD_REQUEST;                                   // 4.00
            };
            assertThat(answers.coap(Rejection.of(reason, "x")).getCode()).as(reason.wireName()).isEqualTo(expected);
        }
    }

    @Test
    void coapAnswerCarriesAShortTextDiagnostic() {
        Response response = answers.coap(Rejection.of(RejectReason.BAD_FIELD, "data.dim_pct: 120 is outside 0..100"));
        assertThat(response.getPayloadString()).isEqualTo("bad_field: data.dim_pct: 120 is outside 0..100");
        assertThat(response.getOptions().getContentFormat()).isEqualTo(MediaTypeRegistry.TEXT_PLAIN);
    }

    @Test
    void overloadedSaysWhenToRetryAndTooLargeSaysTheLimit() {
        Response overloaded = answers.coap(Rejection.OVERLOADED);
        assertThat(overloaded.getOptions().getMaxAge()).isEqualTo(30L);
        Response tooLarge = answers.coap(Rejection.of(RejectReason.TOO_LARGE, "2000 bytes"));
        assertThat(tooLarge.getOptions().getSize1()).isEqualTo(1024);
        assertThat(answers.coap(Rejection.of(RejectReason.BAD_FIELD, "x")).getOptions().hasMaxAge()).isFalse();
    }

    @Test
    void mqttBadMessagesAreAcknowledgedWithAnErrorBody() throws Exception {
        RejectionAnswers.MqttAnswer answer = answers.mqtt(Rejection.of(RejectReason.UNKNOWN_EVENT, "\"x\" is not an event of manhole"));
        assertThat(answer.acknowledge()).isTrue();
        assertThat(answer.publishError()).isTrue();
        JsonNode body = new ObjectMapper().readTree(answer.errorBody());
        assertThat(body.path("error").textValue()).isEqualTo("unknown_event");
        assertThat(body.path("detail").textValue()).isEqualTo("\"x\" is not an event of manhole");
        assertThat(body.size()).isEqualTo(2);
    }

    @Test
    void mqttOverloadIsNotAcknowledgedSoTheBrokerRedelivers() {
        RejectionAnswers.MqttAnswer answer = answers.mqtt(Rejection.OVERLOADED);
        assertThat(answer.acknowledge()).isFalse();
        assertThat(answer.publishError()).isFalse();
    }

    @Test
    void wireNamesAreUniqueLowerSnakeCase() {
        Set<String> names = new HashSet<>();
        for (RejectReason reason : RejectReason.values()) {
            assertThat(reason.wireName()).matches("[a-z_]+");
            assertThat(names.add(reason.wireName())).isTrue();
            assertThat(reason.description()).isNotBlank();
        }
        assertThat(names).contains("malformed", "unsupported_format", "too_large", "bad_device_id", "bad_version",
                "unknown_type", "type_mismatch", "missing_field", "bad_field", "unknown_event", "overloaded");
    }

    @Test
    void rejectionWithoutDetailFallsBackToTheReasonsDescription() {
        assertThat(Rejection.of(RejectReason.BAD_VERSION, null).detail()).isEqualTo("v must be 1");
        assertThat(Rejection.of(RejectReason.BAD_VERSION, "").diagnostic()).isEqualTo("bad_version: v must be 1");
    }
}
