package org.communityguard.testkit.fuzz;

import java.util.Arrays;

/** What every decoder's property does to bytes and text: the mutations and clean-ups they share. */
public final class Mutations {

    private Mutations() {
    }

    /** One to four bytes of {@code bytes} XORed with something other than zero, in place. */
    public static byte[] flipBytes(Choices in, byte[] bytes) {
        for (int i = in.between(1, 4); i > 0 && bytes.length > 0; i--) {
            bytes[in.between(0, bytes.length - 1)] ^= (byte) in.between(1, 255);
        }
        return bytes;
    }

    /** One to four chars of {@code text} XORed with something other than zero. */
    public static String flipChars(Choices in, String text) {
        char[] chars = text.toCharArray();
        for (int i = in.between(1, 4); i > 0 && chars.length > 0; i--) {
            int at = in.between(0, chars.length - 1);
            chars[at] = (char) (chars[at] ^ in.between(1, 0xFFFF));
        }
        return new String(chars);
    }

    /** A proper prefix of {@code bytes}, possibly empty. */
    public static byte[] truncate(Choices in, byte[] bytes) {
        return Arrays.copyOf(bytes, in.between(0, Math.max(0, bytes.length - 1)));
    }

    /** The first occurrence of {@code mark} in {@code bytes} overwritten by {@code with}, of the same length. */
    public static byte[] overwrite(byte[] bytes, byte[] mark, byte[] with) {
        for (int i = 0; i + mark.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + mark.length, mark, 0, mark.length)) {
                System.arraycopy(with, 0, bytes, i, with.length);
                return bytes;
            }
        }
        throw new AssertionError("no mark in the input");
    }

    /**
     * {@code text} as PostgreSQL stores it: U+0000 and surrogates without their pair taken out
     * (a valid input's text must be text the system can keep).
     */
    public static String storable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (c != 0 && !Character.isSurrogate(c)) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
