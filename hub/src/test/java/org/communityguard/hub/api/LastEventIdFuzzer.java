package org.communityguard.hub.api;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.communityguard.testkit.fuzz.Fuzzing;

/**
 * {@link LastEventIdFuzzTest}'s property under Jazzer, coverage-guided: run by deploy/bench.sh fuzz
 * (JAZZER_FUZZ=1), not by the suite, whose short form is the test.
 */
class LastEventIdFuzzer {

    @FuzzTest(maxExecutions = Fuzzing.BENCH_INPUTS, maxDuration = "30m")
    void fuzz(FuzzedDataProvider data) throws Throwable {
        Fuzzing.fuzz(LastEventIdFuzzTest.DECODER, data, LastEventIdFuzzTest.PROPERTY);
    }
}
