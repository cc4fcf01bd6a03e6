package org.communityguard.hub.report;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.communityguard.hub.api.HttpError;

/**
 * A report's photo, checked by what it is, not by what the client says: the first bytes must
 * be a JPEG, PNG or WebP signature, whatever the file name or declared type. Stored by its
 * SHA-256 (content-addressed), never under a client's name.
 */
public record Photo(String contentType, byte[] bytes, byte[] sha256) {

    public static final int MAX_BYTES = 5 * 1024 * 1024;

    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

    /** Checks and hashes; a 400 (or 413) that says why when the bytes are not an accepted photo. */
    public static Photo of(byte[] bytes) {
        if (bytes.length == 0) {
            throw HttpError.badRequest("'photo' is empty");
        }
        if (bytes.length > MAX_BYTES) {
            throw new HttpError(413, "'photo' is larger than 5 MB");
        }
        return new Photo(sniff(bytes), bytes, sha256(bytes));
    }

    /** The type from the magic bytes: image/jpeg, image/png, image/webp; anything else is refused. */
    static String sniff(byte[] b) {
        if (startsWith(b, JPEG)) {
            return "image/jpeg";
        }
        if (startsWith(b, PNG)) {
            return "image/png";
        }
        // RIFF <4-byte size> WEBP
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return "image/webp";
        }
        throw HttpError.badRequest("'photo' must be a JPEG, PNG or WebP image (checked by its content)");
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
