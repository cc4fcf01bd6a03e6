package org.communityguard.hub.ingest;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.communityguard.testkit.fuzz.Fuzzing;

/**
 * {@link BatchCodecFuzzTest}'s property under Jazzer, coverage-guided: run by deploy/bench.sh fuzz
 * (JAZZER_FUZZ=1), not by the suite, whose short form is the test.
 */
class BatchCodecFuzzer {

    @FuzzTest(maxExecutions = Fuzzing.BENCH_INPUTS, maxDuration = "30m")
    void fuzz(FuzzedDataProvider data) throws Throwable {
        Fuzzing.fuzz(BatchCodecFuzzTest.DECODER, data, BatchCodecFuzzTest.PROPERTY);
    }
}
