package org.communityguard.edge.identity;

import java.util.Map;
import java.util.Objects;

/**
 * Who may speak as which device: the one place that decides, from the site file's {@code auth}
 * of the device (or the community's default for a device the file does not list) and what the
 * transport knows of the {@link Sender}.
 *
 * <table>
 * <caption>Verdicts</caption>
 * <tr><th>sender</th><th>device {@code auth: psk}</th><th>device {@code auth: none}</th></tr>
 * <tr><td>proven as the same device</td><td>allowed</td><td>allowed</td></tr>
 * <tr><td>proven as another device</td><td>refused</td><td>refused</td></tr>
 * <tr><td>anonymous (plain CoAP)</td><td>refused</td><td>allowed</td></tr>
 * <tr><td>unchecked (an open broker)</td><td>allowed, unverified</td><td>allowed</td></tr>
 * <tr><td>a will published as an event</td><td>refused</td><td>refused</td></tr>
 * </table>
 * A proven sender never speaks for another device, even one that needs no proof: a device with a
 * key has no business posting as its neighbour. An unverified message is kept (it may well be
 * genuine, and refusing it would lose data because of the broker's configuration), flagged
 * {@code unverified_sender} for the hub, and never acted on by linkage.
 */
public final class DeviceAccess {

    /** What may be done with a message. */
    public enum Verdict {
        /** The sender is who it says, or the device needs no proof. */
        ALLOWED,
        /** Kept, but nothing vouches for its sender: flagged, and not a linkage trigger. */
        UNVERIFIED,
        /** Refused: {@code not_authorized}. */
        REFUSED
    }

    private final Map<String, DeviceAuth> devices;
    private final DeviceAuth fallback;

    /**
     * @param devices  the site file's devices and their {@code auth}
     * @param fallback the community's {@code device_auth}, for devices the site file does not list
     */
    public DeviceAccess(Map<String, DeviceAuth> devices, DeviceAuth fallback) {
        this.devices = Map.copyOf(devices);
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    /** Every device needs no proof: for tests of other parts, and for nothing else. */
    public static DeviceAccess open() {
        return new DeviceAccess(Map.of(), DeviceAuth.NONE);
    }

    public DeviceAuth authOf(String deviceId) {
        return devices.getOrDefault(deviceId, fallback);
    }

    /** Whether any device may use plain CoAP: only then is the plain CoAP port served. */
    public boolean allowsPlain() {
        return fallback == DeviceAuth.NONE || devices.containsValue(DeviceAuth.NONE);
    }

    public Verdict check(Sender sender, String deviceId) {
        if (sender instanceof Sender.Proven proven) {
            return proven.deviceId().equals(deviceId) ? Verdict.ALLOWED : Verdict.REFUSED;
        }
        if (sender instanceof Sender.Will) {
            return Verdict.REFUSED;
        }
        if (authOf(deviceId) == DeviceAuth.NONE) {
            return Verdict.ALLOWED;
        }
        return sender instanceof Sender.Unchecked ? Verdict.UNVERIFIED : Verdict.REFUSED;
    }

    /** Why {@link #check} refused, for the device's developer (never a key). */
    public String refusal(Sender sender, String deviceId) {
        if (sender instanceof Sender.Proven proven) {
            return "authenticated as " + proven.deviceId() + ", which may not speak as " + deviceId;
        }
        if (sender instanceof Sender.Will) {
            return "an event of " + deviceId + " that the broker published as some client's will, not one the device published";
        }
        return deviceId + " must prove who it is: use DTLS (coaps, port 5684) with its key";
    }
}
