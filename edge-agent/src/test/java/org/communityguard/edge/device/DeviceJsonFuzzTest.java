package org.communityguard.edge.device;

import org.communityguard.testkit.fuzz.Fuzzing;
import org.junit.jupiter.api.Test;

/**
 * Device messages in JSON through the whole ingest path ({@link DeviceMessageProperty}),
 * {@value Fuzzing#SHORT_TRIES} generated inputs; {@link DeviceJsonFuzzer} runs the same property in
 * deploy/bench.sh fuzz.
 */
class DeviceJsonFuzzTest {

    static final String DECODER = "device_json";
    static final DeviceMessageProperty PROPERTY = new DeviceMessageProperty(PayloadFormat.JSON);

    @Test
    void generatedMessagesAreAcceptedIntactOrRefusedWithAReason() {
        Fuzzing.run(DECODER, PROPERTY);
    }
}
