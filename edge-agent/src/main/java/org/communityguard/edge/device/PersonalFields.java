package org.communityguard.edge.device;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which fields of a device message hold personal data, decided here and nowhere else: the
 * pseudonyms replace them ({@code privacy.Pseudonyms}), a refusal never repeats their value
 * ({@link ReadingValidator}), and docs/devices.md (Privacy, Personal fields) lists them for device makers.
 *
 * <p>Door-access readings only: they are the readings that name people (the profile's
 * {@code subject}: card number, face-match id). Beyond {@code subject}, vendors add their own
 * identifiers ({@code card_no}, {@code userId}, {@code face_id}, {@code phone}); the profile keeps
 * unknown fields, so the names are matched broadly, at any depth of {@code data}: a field counts
 * when its name, lower-cased and without {@code _ - .} and spaces, is one of {@link #EXACT} or
 * contains one of {@link #PARTS}. Too broad costs a readable value of a door reading (a
 * {@code door_name} becomes a pseudonym); too narrow would put a card number on disk and at the
 * hub. {@code id} alone is not personal: it is a command's id in {@code command_ack}.
 */
public final class PersonalFields {

    /** Whole names: short ones that would match too much as parts. */
    static final Set<String> EXACT = Set.of("pin", "pincode", "passcode", "password", "qr", "qrcode", "uid",
            "idno", "idnumber", "plate", "licenseplate", "tel");
    /** Parts of names. */
    static final List<String> PARTS = List.of("subject", "card", "face", "user", "name", "phone", "mobile", "email",
            "credential", "badge", "passport", "person", "resident", "visitor", "employee", "staff");

    private PersonalFields() {
    }

    /** Whether readings of this type may carry personal fields at all. */
    public static boolean mayHold(DeviceType type) {
        return type == DeviceType.DOOR_ACCESS;
    }

    /** Whether a field of this name holds personal data in a reading of this type. */
    public static boolean isPersonal(DeviceType type, String name) {
        return mayHold(type) && isPersonalName(name);
    }

    static boolean isPersonalName(String name) {
        String n = normalized(name);
        if (EXACT.contains(n)) {
            return true;
        }
        for (int i = 0; i < PARTS.size(); i++) {
            if (n.contains(PARTS.get(i))) {
                return true;
            }
        }
        return false;
    }

    private static String normalized(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c != '_' && c != '-' && c != '.' && c != ' ') {
                out.append(c);
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
