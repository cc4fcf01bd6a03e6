package org.communityguard.edge.device;

import java.util.Objects;

/**
 * The result of a step that refuses bad device input instead of throwing: either a value or the
 * {@link Rejection} that says why there is none.
 */
public record Checked<T>(T value, Rejection rejection) {

    public Checked {
        if ((value == null) == (rejection == null)) {
            throw new IllegalArgumentException("exactly one of value and rejection");
        }
    }

    public static <T> Checked<T> ok(T value) {
        return new Checked<>(Objects.requireNonNull(value, "value"), null);
    }

    public static <T> Checked<T> rejected(Rejection rejection) {
        return new Checked<>(null, rejection);
    }

    public static <T> Checked<T> rejected(RejectReason reason, String detail) {
        return new Checked<>(null, Rejection.of(reason, detail));
    }

    public boolean isOk() {
        return rejection == null;
    }
}
