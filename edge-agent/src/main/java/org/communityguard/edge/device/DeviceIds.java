package org.communityguard.edge.device;

/** The device profile's identifier rule: 1 to 64 characters of {@code A-Z a-z 0-9 . _ -}. */
public final class DeviceIds {

    public static final int MAX_LENGTH = 64;

    private DeviceIds() {
    }

    /** A loop rather than a regex: this runs for every message and must not allocate. */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * An id that failed {@link #isValid} made printable for a log line or a diagnostic: control
     * characters escaped and the length capped, so a hostile id cannot forge or flood log lines.
     */
    public static String printable(String id) {
        if (id == null) {
            return "(none)";
        }
        StringBuilder out = new StringBuilder(Math.min(id.length(), MAX_LENGTH) + 8);
        for (int i = 0; i < id.length() && i < MAX_LENGTH; i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (id.length() > MAX_LENGTH) {
            out.append("...");
        }
        return out.toString();
    }
}
