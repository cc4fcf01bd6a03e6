package org.communityguard.testkit.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a decoder's property over generated inputs and keeps the tally {@code deploy/bench.sh fuzz}
 * prints: inputs tried, accepted, refused by reason, and failures (an exception out of the decoder,
 * or a property that did not hold).
 *
 * <p>Two ways in, one property: {@link #run} is the suite's short form ({@code fuzz.tries} seeded
 * inputs, 1,000 by default; a failure names the seed that reproduces it), {@link #fuzz} is one input
 * of a Jazzer {@code @FuzzTest}. With {@code FUZZ_REPORT_DIR} set, each decoder's tally is written
 * there as {@code <decoder>.tsv} when the JVM exits.
 */
public final class Fuzzing {

    /** The suite's tries per property unless {@code -Dfuzz.tries} says otherwise. */
    public static final int SHORT_TRIES = 1000;
    /** What {@code deploy/bench.sh fuzz} asks of Jazzer per decoder. */
    public static final long BENCH_INPUTS = 100_000;

    private static final Map<String, Tally> TALLIES = new ConcurrentHashMap<>();

    static {
        String dir = System.getenv("FUZZ_REPORT_DIR");
        if (dir != null && !dir.isBlank()) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TALLIES.values().forEach(t -> t.write(Path.of(dir)))));
        }
    }

    private Fuzzing() {
    }

    /** What the decoder made of one input. A refusal always has a reason: a property holds it to that. */
    public sealed interface Verdict permits Accepted, Refused {
    }

    public record Accepted() implements Verdict {
    }

    public record Refused(String reason) implements Verdict {
        public Refused {
            if (reason == null || reason.isBlank()) {
                throw new AssertionError("a refusal without a reason");
            }
        }
    }

    public static Verdict accepted() {
        return new Accepted();
    }

    public static Verdict refused(String reason) {
        return new Refused(reason);
    }

    /** Generates one input from {@code in}, decodes it, checks what must hold, says what became of it. */
    @FunctionalInterface
    public interface Property {
        Verdict check(Choices in) throws Exception;
    }

    /** The suite's short form: {@code fuzz.tries} inputs from seeds {@code fuzz.seed}, +1, +2 ... */
    public static void run(String decoder, Property property) {
        int tries = Integer.getInteger("fuzz.tries", SHORT_TRIES);
        long seed = Long.getLong("fuzz.seed", 0x5EED_2026L);
        Tally tally = tally(decoder);
        for (int i = 0; i < tries; i++) {
            try {
                tally.record(property.check(Choices.seeded(seed + i)));
            } catch (Throwable t) {
                tally.failed(t);
                throw new AssertionError(decoder + ": the property failed for seed " + (seed + i)
                        + " (again alone: -Dfuzz.seed=" + (seed + i) + " -Dfuzz.tries=1)", t);
            }
        }
    }

    /** One input of a Jazzer {@code @FuzzTest}: a failure is rethrown, so Jazzer records it as a finding. */
    public static void fuzz(String decoder, FuzzedDataProvider data, Property property) throws Throwable {
        Tally tally = tally(decoder);
        try {
            tally.record(property.check(Choices.of(data)));
        } catch (Throwable t) {
            tally.failed(t);
            throw t;
        }
    }

    private static Tally tally(String decoder) {
        return TALLIES.computeIfAbsent(decoder, Tally::new);
    }

    private static final class Tally {
        private final String decoder;
        private long tried;
        private long accepted;
        private long exceptions;
        private long violations;
        private final Map<String, Long> refused = new TreeMap<>();

        Tally(String decoder) {
            this.decoder = decoder;
        }

        synchronized void record(Verdict verdict) {
            tried++;
            if (Objects.requireNonNull(verdict, "the property gave no verdict") instanceof Refused r) {
                refused.merge(r.reason(), 1L, Long::sum);
            } else {
                accepted++;
            }
        }

        synchronized void failed(Throwable t) {
            tried++;
            if (t instanceof AssertionError) {
                violations++;
            } else {
                exceptions++;
            }
        }

        /** {@code key<TAB>value} lines: tried, accepted, exceptions, violations, then refused.<reason>. */
        synchronized void write(Path dir) {
            StringBuilder out = new StringBuilder();
            out.append("decoder\t").append(decoder).append('\n');
            out.append("tried\t").append(tried).append('\n');
            out.append("accepted\t").append(accepted).append('\n');
            out.append("exceptions\t").append(exceptions).append('\n');
            out.append("violations\t").append(violations).append('\n');
            refused.forEach((reason, n) -> out.append("refused.").append(reason).append('\t').append(n).append('\n'));
            try {
                Files.createDirectories(dir);
                Files.writeString(dir.resolve(decoder + ".tsv"), out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
