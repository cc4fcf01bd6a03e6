package org.communityguard.sim.link;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's device keys file, as {@code edge-agent --provision-device} writes it: {@code id:hex-key}
 * a line, {@code #} comments. The simulator reads it to be the devices it simulates: a real device
 * would have its key burnt in.
 */
public final class DeviceKeys {

    private DeviceKeys() {
    }

    /** Device id to its key in hex. */
    public static Map<String, String> load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> keys = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String hex = colon < 0 ? "" : line.substring(colon + 1).strip();
            try {
                HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                hex = "";
            }
            if (colon <= 0 || hex.isEmpty()) {
                // Never quote the line: it holds a key.
                throw new IOException(file + " line " + (i + 1) + ": expected id:hex-key");
            }
            keys.put(line.substring(0, colon), hex);
        }
        return keys;
    }
}
