package org.communityguard.edge.site;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.communityguard.testkit.fuzz.Fuzzing;

/**
 * {@link SiteFuzzTest}'s property under Jazzer, coverage-guided: run by deploy/bench.sh fuzz
 * (JAZZER_FUZZ=1), not by the suite, whose short form is the test.
 */
class SiteFuzzer {

    @FuzzTest(maxExecutions = Fuzzing.BENCH_INPUTS, maxDuration = "30m")
    void fuzz(FuzzedDataProvider data) throws Throwable {
        Fuzzing.fuzz(SiteFuzzTest.DECODER, data, SiteFuzzTest.PROPERTY);
    }
}
