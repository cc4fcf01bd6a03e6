package org.communityguard.edge.device;

import java.util.Objects;

/**
 * A refused device message: the reason (stable, machine-readable) and a short detail for the
 * device's developer ("data.dim_pct: 120 is outside 0..100").
 */
public record Rejection(RejectReason reason, String detail) {

    /** The gateway's buffer is full; shared because it carries nothing about the message. */
    public static final Rejection OVERLOADED = new Rejection(RejectReason.OVERLOADED, RejectReason.OVERLOADED.description());

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        detail = detail == null || detail.isEmpty() ? reason.description() : detail;
    }

    public static Rejection of(RejectReason reason, String detail) {
        return new Rejection(reason, detail);
    }

    /** The diagnostic a device sees: {@code reason: detail}. */
    public String diagnostic() {
        return reason.wireName() + ": " + detail;
    }
}
