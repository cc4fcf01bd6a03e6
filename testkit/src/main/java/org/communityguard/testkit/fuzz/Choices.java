package org.communityguard.testkit.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where a generated input's choices come from: a seeded random in the suite's short form, or
 * Jazzer's fuzzed bytes in {@code deploy/bench.sh fuzz}, where libFuzzer mutates the bytes
 * behind every choice towards code not covered yet. Generators are written once, against this.
 */
public interface Choices {

    /** An int in {@code min..max}, both inclusive. */
    int between(int min, int max);

    /** A long in {@code min..max}, both inclusive. */
    long longBetween(long min, long max);

    boolean flip();

    /** Any double: NaN, infinities, subnormals and -0.0 included. */
    double anyDouble();

    /** Up to {@code maxLength} arbitrary bytes. */
    byte[] bytes(int maxLength);

    /**
     * Up to {@code maxLength} UTF-16 chars of every kind: ASCII, controls, U+0000, CJK, pairs
     * and lone surrogates, formula starters ({@code = + - @}), quotes, commas and line breaks.
     */
    String text(int maxLength);

    default boolean chance(int percent) {
        return between(0, 99) < percent;
    }

    default <T> T pick(List<T> options) {
        return options.get(between(0, options.size() - 1));
    }

    @SafeVarargs
    static <T> T pickFrom(Choices in, T... options) {
        return options[in.between(0, options.length - 1)];
    }

    static Choices seeded(long seed) {
        return new Seeded(new SplittableRandom(seed));
    }

    static Choices of(FuzzedDataProvider data) {
        return new Fuzzed(data);
    }

    /** The characters {@link #text} draws from, by kind, so both sources mix them alike. */
    final class Chars {
        static final String SPECIAL = "=+-@\t\r\n\",;'\\ \u0000\u007f\u00a0\u2028\ufeff\ufffd";
        static final String CJK = "小区网格员物业烟感井盖路灯门禁";

        private Chars() {
        }

        static char of(int kind, int n) {
            return switch (kind) {
                case 0, 1, 2 -> (char) (0x20 + Math.floorMod(n, 0x5f));              // printable ASCII
                case 3 -> SPECIAL.charAt(Math.floorMod(n, SPECIAL.length()));
                case 4 -> CJK.charAt(Math.floorMod(n, CJK.length()));
                case 5 -> (char) Math.floorMod(n, 0x20);                            // controls, U+0000 included
                case 6 -> (char) (0xD800 + Math.floorMod(n, 0x800));                // a surrogate, paired or not
                default -> (char) Math.floorMod(n, 0x10000);                        // anything
            };
        }
    }

    final class Seeded implements Choices {
        private final SplittableRandom random;

        Seeded(SplittableRandom random) {
            this.random = random;
        }

        @Override
        public int between(int min, int max) {
            return min == max ? min : (int) random.nextLong(min, (long) max + 1);
        }

        @Override
        public long longBetween(long min, long max) {
            if (min == max) {
                return min;
            }
            if (max < Long.MAX_VALUE) {
                return random.nextLong(min, max + 1);
            }
            return min == Long.MIN_VALUE ? random.nextLong() : random.nextLong(min - 1, max) + 1;
        }

        @Override
        public boolean flip() {
            return random.nextBoolean();
        }

        @Override
        public double anyDouble() {
            return switch (random.nextInt(8)) {
                case 0 -> Double.longBitsToDouble(random.nextLong());
                case 1 -> pickFrom(this, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
                        Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, 1e15, 1e16, 0.1);
                case 2 -> random.nextLong(-1_000_000, 1_000_000);
                default -> (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-6, 20));
            };
        }

        @Override
        public byte[] bytes(int maxLength) {
            byte[] b = new byte[between(0, maxLength)];
            random.nextBytes(b);
            return b;
        }

        @Override
        public String text(int maxLength) {
            int length = between(0, maxLength);
            // Most strings keep to one or two kinds of characters, as real text does.
            int kindA = random.nextInt(8);
            int kindB = random.nextInt(8);
            StringBuilder s = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                s.append(Chars.of(random.nextInt(4) == 0 ? kindB : kindA, random.nextInt()));
            }
            return s.toString();
        }
    }

    final class Fuzzed implements Choices {
        private final FuzzedDataProvider data;

        Fuzzed(FuzzedDataProvider data) {
            this.data = data;
        }

        @Override
        public int between(int min, int max) {
            return data.consumeInt(min, max);
        }

        @Override
        public long longBetween(long min, long max) {
            return data.consumeLong(min, max);
        }

        @Override
        public boolean flip() {
            return data.consumeBoolean();
        }

        @Override
        public double anyDouble() {
            return data.consumeDouble();
        }

        @Override
        public byte[] bytes(int maxLength) {
            return data.consumeBytes(maxLength);
        }

        @Override
        public String text(int maxLength) {
            int length = data.consumeInt(0, maxLength);
            StringBuilder s = new StringBuilder(length);
            for (int i = 0; i < length && data.remainingBytes() > 0; i++) {
                s.append(Chars.of(data.consumeInt(0, 7), data.consumeShort()));
            }
            return s.toString();
        }
    }
}
