package org.communityguard.edge.device;

import org.communityguard.testkit.fuzz.Fuzzing;
import org.junit.jupiter.api.Test;

/**
 * Device messages in CBOR through the whole ingest path ({@link DeviceMessageProperty}),
 * {@value Fuzzing#SHORT_TRIES} generated inputs; {@link DeviceCborFuzzer} runs the same property in
 * deploy/bench.sh fuzz.
 */
class DeviceCborFuzzTest {

    static final String DECODER = "device_cbor";
    static final DeviceMessageProperty PROPERTY = new DeviceMessageProperty(PayloadFormat.CBOR);

    @Test
    void generatedMessagesAreAcceptedIntactOrRefusedWithAReason() {
        Fuzzing.run(DECODER, PROPERTY);
    }
}
