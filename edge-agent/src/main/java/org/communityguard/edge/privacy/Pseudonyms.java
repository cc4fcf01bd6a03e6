package org.communityguard.edge.privacy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletionStage;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink;

/**
 * Replaces the personal identifier of a door-access event ({@code subject}: card number,
 * face-match id) with a keyed pseudonym before the reading reaches the buffer, so the raw
 * identifier is never written to disk or sent to the hub.
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
        if (r.type() != DeviceType.DOOR_ACCESS || r.kind() != Kind.EVENT || !r.data().path("subject").isTextual()) {
            return r;
        }
        ObjectNode data = r.data().deepCopy();
        data.put("subject", pseudonym(r.data().path("subject").textValue()));
        return new Reading(r.deviceId(), r.type(), r.kind(), r.receivedAt(), r.deviceTs(), r.seq(), r.flags(), data);
    }

    public String pseudonym(String subject) {
        byte[] digest = mac.get().doFinal(("subject:" + subject).getBytes(StandardCharsets.UTF_8));
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, 16));
    }
}
