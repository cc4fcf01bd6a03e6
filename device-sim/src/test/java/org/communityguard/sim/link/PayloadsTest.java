package org.communityguard.sim.link;

import com.fasterxml.jackson.databind.JsonNode;
import org.communityguard.sim.device.Command;
import org.communityguard.sim.device.Message;
import org.communityguard.sim.site.DeviceType;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PayloadsTest {

    private static final Message SMOKE = new Message("smoke-b1-01", DeviceType.SMOKE_DETECTOR, Message.Kind.TELEMETRY,
            42, 1_763_764_800_123L, data("smoke_obscuration_pct_m", 0.4, "alarm", false, "rssi_dbm", -90));

    @Test
    void jsonIsTheProfileBodyInItsFieldOrder() {
        String json = new String(Payloads.json(SMOKE), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"v\":1,\"type\":\"smoke_detector\",\"ts\":1763764800123,\"seq\":42,"
                + "\"data\":{\"smoke_obscuration_pct_m\":0.4,\"alarm\":false,\"rssi_dbm\":-90}}");
    }

    @Test
    void cborCarriesTheSameStructure() throws Exception {
        byte[] cbor = Payloads.cbor(SMOKE);
        JsonNode fromCbor = Payloads.read(cbor, true);
        assertThat(fromCbor).isEqualTo(Payloads.read(Payloads.json(SMOKE), false));
        assertThat(cbor.length).isLessThan(Payloads.json(SMOKE).length);
        // First byte: CBOR major type 5 (map) with 5 entries: v, type, ts, seq, data.
        assertThat(cbor[0] & 0xff).isEqualTo(0xa5);
    }

    @Test
    void readsOneCommandOrAnArrayOfThem() throws Exception {
        List<Command> one = Payloads.commands(bytes("{\"cmd\":\"door\",\"action\":\"release\",\"id\":\"c-1\"}"), false);
        assertThat(one).containsExactly(new Command("c-1", "door", Map.of("cmd", "door", "action", "release", "id", "c-1")));

        List<Command> many = Payloads.commands(bytes("[{\"cmd\":\"siren\",\"on\":true,\"id\":7},{\"cmd\":\"lamp\",\"on\":true}]"), false);
        assertThat(many).extracting(Command::id).containsExactly("7", null);
        assertThat(many.get(0).bool("on")).contains(true);

        assertThat(Payloads.commands(bytes("[]"), false)).isEmpty();
    }

    @Test
    void anUnreadableCommandPayloadThrowsAnIoException() {
        assertThatThrownBy(() -> Payloads.commands(bytes("{nope"), false)).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(() -> Payloads.commands(bytes("[1, 2]"), false)).hasMessageContaining("not a command object");
        assertThatThrownBy(() -> Payloads.commands(bytes("{\"cmd\": 5}"), false)).hasMessageContaining("not a command object");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> data(Object... pairs) {
        Map<String, Object> data = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            data.put((String) pairs[i], pairs[i + 1]);
        }
        return data;
    }
}
