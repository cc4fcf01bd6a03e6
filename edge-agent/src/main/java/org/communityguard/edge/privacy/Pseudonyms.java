package org.communityguard.edge.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.PersonalFields;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink;

/**
 * Replaces the personal identifiers of a door-access reading (the event's {@code subject}: card
 * number, face-match id; and every other field {@link PersonalFields} names, at any depth, such as
 * a vendor's {@code card_no} or {@code user_name}) with keyed pseudonyms before the reading
 * reaches the buffer, so a raw identifier is never written to disk or sent to the hub.
 *
 * <p>Whatever the JSON type: a string becomes the pseudonym of its text, a number the pseudonym
 * of its digits (the same card sent as {@code 9876543210} or {@code "9876543210"} gets the same
 * pseudonym), an object or array under a personal name the pseudonym of its JSON text (all of it
 * is about the person). Booleans and nulls name nobody and stay.
 *
 * <p>The pseudonym is HMAC-SHA256 (the JDK's implementation) under the community's secret,
 * truncated to 128 bits: the same card always gets the same pseudonym in that community (so
 * the hub can see "many denied attempts with one card"), and without the secret it cannot be
 * turned back into the card number. Re-identification needs the secret and is done, audited,
 * outside this agent.
 */
public final class Pseudonyms implements ReadingSink {

    public static final String PREFIX = "psn1:";

    private final ReadingSink next;
    private final ThreadLocal<Mac> mac;

    public Pseudonyms(String communitySecret, ReadingSink next) {
        this.next = next;
        byte[] key = communitySecret.getBytes(StandardCharsets.UTF_8);
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac m = Mac.getInstance("HmacSHA256");
                m.init(new SecretKeySpec(key, "HmacSHA256"));
                return m;
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new IllegalStateException("every Java runtime has HmacSHA256", e);
            }
        });
    }

    @Override
    public CompletionStage<Admission> offer(Reading reading) {
        return next.offer(pseudonymize(reading));
    }

    Reading pseudonymize(Reading r) {
        if (!PersonalFields.mayHold(r.type()) || !holdsPersonal(r.type(), r.data())) {
            return r;
        }
        // A copy: the caller's reading (and the tree the device's message was parsed into) stay as they were.
        ObjectNode data = r.data().deepCopy();
        replace(r.type(), data);
        return new Reading(r.deviceId(), r.type(), r.kind(), r.receivedAt(), r.deviceTs(), r.seq(), r.flags(), data);
    }

    private static boolean holdsPersonal(DeviceType type, JsonNode node) {
        if (node.isObject()) {
            for (var fields = node.fields(); fields.hasNext(); ) {
                var field = fields.next();
                if (isIdentifying(field.getValue()) && PersonalFields.isPersonal(type, field.getKey())
                        || holdsPersonal(type, field.getValue())) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (holdsPersonal(type, element)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void replace(DeviceType type, JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (var fields = object.fields(); fields.hasNext(); ) {
                var field = fields.next();
                JsonNode value = field.getValue();
                if (isIdentifying(value) && PersonalFields.isPersonal(type, field.getKey())) {
                    field.setValue(TextNode.valueOf(pseudonym(value.isValueNode() ? value.asText() : value.toString())));
                } else {
                    replace(type, value);
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                replace(type, element);
            }
        }
    }

    private static boolean isIdentifying(JsonNode value) {
        return !value.isNull() && !value.isBoolean();
    }

    public String pseudonym(String subject) {
        byte[] digest = mac.get().doFinal(("subject:" + subject).getBytes(StandardCharsets.UTF_8));
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
    }
}
