package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.communityguard.edge.device.DeviceProfile.Bool;
import org.communityguard.edge.device.DeviceProfile.OneOf;
import org.communityguard.edge.device.DeviceProfile.Range;
import org.communityguard.edge.device.DeviceProfile.Text;
import org.communityguard.edge.device.DeviceProfile.ValueRule;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.junit.jupiter.api.Test;

/**
 * docs/devices.md, the device contract written for device makers, read against the code so the
 * two cannot drift apart: every example message goes through {@link DeviceIngest} and must be
 * accepted (or refused with the reason the document names), the error answer must be the one the
 * gateway publishes, the CBOR bytes must be the JSON example's message, every mosquitto_pub and
 * coap-client line must deliver an accepted message and follow the profile's QoS and retain
 * rules, and the field, event and rejection tables must be the profile's.
 *
 * <p>Examples are fenced blocks preceded by an HTML comment {@code <!-- example: ... -->}
 * (invisible on GitHub): {@code telemetry|event DEVICE [rejected REASON]}, {@code error} (the
 * error JSON of the last refused example), {@code cbor telemetry|event DEVICE} (annotated hex of
 * the last JSON example of that kind and device) and {@code command} (what the gateway sends). Command lines are read
 * from the {@code sh} blocks.
 */
class DevicesDocTest {

    private static final Path DOC = Path.of("..", "docs", "devices.md");
    /** The example devices, provisioned as a gateway's site file would. */
    private static final Map<String, DeviceType> DEVICES = Map.of(
            "lamp-b1-01", DeviceType.LAMP_POST,
            "manhole-07", DeviceType.MANHOLE,
            "smoke-b1-03", DeviceType.SMOKE_DETECTOR,
            "door-b1-01", DeviceType.DOOR_ACCESS);
    private static final Pattern MARKER = Pattern.compile("^<!-- example: (.+?) -->$");
    private static final Pattern DEVICE_TOPIC = Pattern.compile("devices/([^/]+)/(telemetry|event|status|command|error)");
    private static final Pattern COAP_URL = Pattern.compile("coap://[^/]+/(telemetry|events|commands)/([^/]+)");

    private final ObjectMapper json = new ObjectMapper();
    private final ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    private final RejectionAnswers answers = new RejectionAnswers(Duration.ofSeconds(30), PayloadCodec.DEFAULT_MAX_PAYLOAD_BYTES);
    private final List<String> doc = read();

    private record Block(int line, String marker, String info, String body) {
    }

    @Test
    void everyExampleMessageIsAnsweredAsTheDocumentSays() throws IOException {
        Map<String, Integer> seen = new HashMap<>();
        Map<String, JsonNode> messages = new HashMap<>();
        Rejection lastRejection = null;
        for (Block block : blocks()) {
            if (block.marker() == null) {
                continue;
            }
            String where = "docs/devices.md:" + block.line() + " (" + block.marker() + ")";
            List<String> words = List.of(block.marker().split(" "));
            switch (words.get(0)) {
                case "telemetry", "event" -> {
                    messages.put(words.get(0) + " " + words.get(1), json.readTree(block.body()));
                    Outcome outcome = ingest(kind(words.get(0)), words.get(1), PayloadFormat.JSON, bytes(block.body()));
                    if (words.size() > 2) {
                        assertThat(words.get(2)).as(where).isEqualTo("rejected");
                        assertThat(outcome).as(where).isInstanceOf(Outcome.Rejected.class);
                        lastRejection = ((Outcome.Rejected) outcome).rejection();
                        assertThat(lastRejection.reason().wireName()).as(where).isEqualTo(words.get(3));
                        seen.merge("rejected", 1, Integer::sum);
                    } else {
                        assertAccepted(outcome, where);
                    }
                }
                case "error" -> {
                    assertThat(lastRejection).as(where + ": an error example follows a refused one").isNotNull();
                    assertThat(json.readTree(block.body())).as(where).isEqualTo(json.readTree(answers.errorJson(lastRejection)));
                }
                case "cbor" -> {
                    byte[] payload = hex(block.body());
                    assertThat(cbor.readTree(payload)).as(where + ": the same message as the JSON example of that device")
                            .isEqualTo(messages.get(words.get(1) + " " + words.get(2)));
                    assertAccepted(ingest(kind(words.get(1)), words.get(2), PayloadFormat.CBOR, payload), where);
                }
                case "command" -> {
                    JsonNode documented = json.readTree(block.body());
                    for (JsonNode command : documented.isArray() ? documented : List.of(documented)) {
                        assertIsWhatTheGatewaySends((ObjectNode) command, where);
                    }
                }
                default -> fail(where + ": unknown example marker");
            }
            seen.merge(words.get(0), 1, Integer::sum);
        }
        assertThat(seen).as("examples of each kind in docs/devices.md")
                .containsKeys("telemetry", "event", "rejected", "error", "cbor", "command");
    }

    @Test
    void everyCommandLineDeliversAnAcceptedMessage() {
        Map<String, byte[]> files = new HashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Block block : blocks()) {
            if (!block.info().equals("sh")) {
                continue;
            }
            for (List<String> command : shellCommands(block.body())) {
                String where = "docs/devices.md, sh block at line " + block.line() + ": " + String.join(" ", command);
                String program = command.get(0);
                switch (program) {
                    case "mosquitto_pub" -> mosquittoPub(command, where);
                    case "mosquitto_sub" -> mosquittoSub(command, where);
                    case "coap-client", "coap-client-notls" -> coapClient(command, files, where);
                    case "echo" -> {
                        int pipe = command.indexOf("|");
                        assertThat(command.subList(pipe, command.size() - 1)).as(where).containsExactly("|", "xxd", "-r", "-p", ">");
                        files.put(command.get(command.size() - 1), hex(String.join(" ", command.subList(1, pipe))));
                    }
                    default -> fail(where + ": not a command this test knows");
                }
                seen.merge(program.replace("-notls", ""), 1, Integer::sum);
            }
        }
        assertThat(seen).as("command lines in docs/devices.md").containsKeys("mosquitto_pub", "mosquitto_sub", "coap-client", "echo");
    }

    @Test
    void theTelemetryTableIsTheProfile() {
        Set<String> documented = new TreeSet<>();
        for (List<String> row : table("| type | field | values | unit | meaning |")) {
            for (String type : row.get(0).split(",")) {
                documented.add(type.strip() + " " + code(row.get(1)) + " " + row.get(2));
            }
        }
        Set<String> profile = new TreeSet<>();
        for (DeviceType type : deviceTypes()) {
            for (DeviceProfile.FieldRule field : DeviceProfile.V1.telemetryFields(type)) {
                profile.add(type.wireName() + " " + field.name() + " " + values(field.rule()));
            }
        }
        assertThat(documented).isEqualTo(profile);
    }

    @Test
    void theEventTableIsTheProfile() {
        Set<String> documented = new TreeSet<>();
        for (List<String> row : table("| types | event | field | required | values | meaning |")) {
            for (String type : row.get(0).split(",")) {
                String field = row.get(2).equals("—") ? "—" : code(row.get(2)) + " " + row.get(3) + " " + documentedValues(row.get(4));
                documented.add(type.strip() + " " + code(row.get(1)) + " " + field);
            }
        }
        Set<String> profile = new TreeSet<>();
        for (DeviceType type : deviceTypes()) {
            for (DeviceProfile.EventRule event : DeviceProfile.V1.events(type).values()) {
                if (event.fields().isEmpty()) {
                    profile.add(type.wireName() + " " + event.name() + " —");
                }
                for (DeviceProfile.FieldRule field : event.fields()) {
                    profile.add(type.wireName() + " " + event.name() + " " + field.name() + " " + (field.required() ? "yes" : "no")
                            + " " + values(field.rule()));
                }
            }
        }
        assertThat(documented).isEqualTo(profile);
    }

    /** A reason added to {@link RejectReason} must be documented for device makers, with its answers. */
    @Test
    void everyRejectReasonIsInTheRejectionTableWithItsAnswers() {
        Map<String, List<String>> documented = new HashMap<>();
        for (List<String> row : table("| reason | meaning | CoAP | MQTT |")) {
            documented.put(code(row.get(0)), row);
        }
        Set<String> wireNames = Arrays.stream(RejectReason.values()).map(RejectReason::wireName).collect(Collectors.toSet());
        assertThat(documented.keySet()).as("reasons in the table of docs/devices.md, ## Rejections")
                .containsExactlyInAnyOrderElementsOf(wireNames);
        for (RejectReason reason : RejectReason.values()) {
            List<String> row = documented.get(reason.wireName());
            ResponseCode code = answers.coapCode(reason);
            assertThat(row.get(2)).as(reason.wireName() + ", CoAP").startsWith(code.codeClass + "." + String.format("%02d", code.codeDetail));
            if (row.get(3).startsWith("does not occur")) {
                continue;
            }
            RejectionAnswers.MqttAnswer mqtt = answers.mqtt(Rejection.of(reason, null));
            assertThat(row.get(3).startsWith("acknowledged")).as(reason.wireName() + ", MQTT acknowledged: " + row.get(3))
                    .isEqualTo(mqtt.acknowledge());
            assertThat(row.get(3).contains("error JSON") && !row.get(3).contains("no error JSON"))
                    .as(reason.wireName() + ", MQTT error JSON: " + row.get(3)).isEqualTo(mqtt.publishError());
        }
    }

    @Test
    void theLimitsInTheTextAreTheCodes() {
        String text = String.join("\n", doc);
        for (String claim : List.of(
                "at most **" + PayloadCodec.DEFAULT_MAX_PAYLOAD_BYTES + " bytes**",
                "more than **" + Duration.ofMillis(ReadingValidator.CLOCK_SKEW_LIMIT_MS).toMinutes() + " minutes**",
                "from 0 to " + ReadingValidator.MAX_SEQ + "; after " + ReadingValidator.MAX_SEQ + " it wraps to 0",
                "from 0 to " + ReadingValidator.MAX_TS + " (the end of year 9999)")) {
            assertThat(text.contains(claim)).as("docs/devices.md says: " + claim).isTrue();
        }
    }

    // --- command lines ---

    private void mosquittoPub(List<String> command, String where) {
        Matcher topic = DEVICE_TOPIC.matcher(option(command, "-t", where));
        assertThat(topic.matches()).as(where + ": a device topic").isTrue();
        Kind kind = switch (topic.group(2)) {
            case "telemetry" -> Kind.TELEMETRY;
            case "event" -> Kind.EVENT;
            case "status" -> Kind.STATUS;
            default -> throw new AssertionError(where + ": devices publish telemetry, event and status only");
        };
        String qos = option(command, "-q", where);
        boolean retained = command.contains("-r");
        switch (kind) {
            case STATUS -> assertThat(qos + (retained ? " retained" : "")).as(where + ": status is QoS 1, retained").isEqualTo("1 retained");
            case EVENT -> assertThat(qos + (retained ? " retained" : "")).as(where + ": events are QoS 1, not retained").isEqualTo("1");
            default -> assertThat(qos + (retained ? " retained" : "")).as(where + ": telemetry is QoS 0 or 1, not retained").isIn("0", "1");
        }
        byte[] payload = bytes(option(command, "-m", where));
        assertAccepted(ingest(kind, topic.group(1), kind == Kind.STATUS ? PayloadFormat.TEXT : PayloadFormat.JSON, payload), where);
    }

    private void mosquittoSub(List<String> command, String where) {
        String device = option(command, "-u", where);
        for (int i = command.indexOf("-t"); i >= 0; i = indexOf(command, "-t", i + 1)) {
            assertThat(command.get(i + 1)).as(where).isIn("devices/" + device + "/command", "devices/" + device + "/error");
        }
        assertThat(option(command, "-q", where)).as(where + ": commands are QoS 1").isEqualTo("1");
        assertThat(option(command, "--will-topic", where)).as(where).isEqualTo("devices/" + device + "/status");
        assertThat(option(command, "--will-payload", where)).as(where).isEqualTo("offline");
        assertThat(option(command, "--will-qos", where)).as(where).isEqualTo("1");
        assertThat(command).as(where + ": the will is retained").contains("--will-retain");
        assertAccepted(ingest(Kind.STATUS, device, PayloadFormat.TEXT, bytes("offline")), where + ": its will");
    }

    private void coapClient(List<String> command, Map<String, byte[]> files, String where) {
        Matcher url = COAP_URL.matcher(command.get(command.size() - 1));
        assertThat(url.matches()).as(where + ": a gateway path").isTrue();
        String method = option(command, "-m", where);
        if (url.group(1).equals("commands")) {
            assertThat(method).as(where).isEqualTo("get");
            if (command.contains("-A")) {
                assertThat(option(command, "-A", where)).as(where).isIn("json", "cbor", "50", "60");
            }
            if (command.contains("-s")) {
                // coap-client stops waiting after -B seconds (90 by default), observing or not.
                assertThat(Integer.parseInt(option(command, "-B", where))).as(where + ": -B at least -s")
                        .isGreaterThanOrEqualTo(Integer.parseInt(option(command, "-s", where)));
            }
            return;
        }
        assertThat(method).as(where).isEqualTo("post");
        PayloadFormat format = switch (option(command, "-t", where)) {
            case "json", "50" -> PayloadFormat.JSON;
            case "cbor", "60" -> PayloadFormat.CBOR;
            default -> throw new AssertionError(where + ": Content-Format must be json or cbor");
        };
        byte[] payload = command.contains("-e") ? bytes(option(command, "-e", where)) : files.get(option(command, "-f", where));
        assertThat(payload).as(where + ": a payload made earlier in the document").isNotNull();
        if (format == PayloadFormat.CBOR) {
            assertThat(cborExamples()).as(where + ": sends the document's CBOR example")
                    .anySatisfy(example -> assertThat(example).isEqualTo(payload));
        }
        Kind kind = url.group(1).equals("events") ? Kind.EVENT : Kind.TELEMETRY;
        assertAccepted(ingest(kind, url.group(2), format, payload), where);
    }

    private List<byte[]> cborExamples() {
        return blocks().stream().filter(b -> b.marker() != null && b.marker().startsWith("cbor ")).map(b -> hex(b.body())).toList();
    }

    private static String option(List<String> command, String name, String where) {
        int i = command.indexOf(name);
        assertThat(i).as(where + ": has " + name).isNotNegative();
        return command.get(i + 1);
    }

    private static int indexOf(List<String> list, String value, int from) {
        int i = list.subList(from, list.size()).indexOf(value);
        return i < 0 ? -1 : from + i;
    }

    /** The commands of an sh block as words: line continuations joined, quotes removed, comments dropped. */
    private static List<List<String>> shellCommands(String script) {
        List<List<String>> commands = new ArrayList<>();
        for (String line : script.replace("\\\n", " ").split("\n")) {
            List<String> words = new ArrayList<>();
            StringBuilder word = null;
            char quote = 0;
            for (char c : line.toCharArray()) {
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        word.append(c);
                    }
                } else if (c == '\'' || c == '"') {
                    quote = c;
                    word = word == null ? new StringBuilder() : word;
                } else if (Character.isWhitespace(c)) {
                    if (word != null) {
                        words.add(word.toString());
                        word = null;
                    }
                } else if (c == '#' && word == null) {
                    break;
                } else {
                    word = (word == null ? new StringBuilder() : word).append(c);
                }
            }
            if (word != null) {
                words.add(word.toString());
            }
            if (!words.isEmpty()) {
                commands.add(words);
            }
        }
        return commands;
    }

    // --- the gateway ---

    /** One message through a fresh ingest (no memory of other examples), at the examples' time. */
    private static Outcome ingest(Kind kind, String device, PayloadFormat format, byte[] payload) {
        TestClock clock = new TestClock(1_763_764_800_000L);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeviceIngest ingest = new DeviceIngest(new TestSink(), Provisioning.of(DEVICES),
                new DeviceCommands(16, Duration.ofMinutes(10), clock, registry), registry, clock, DeviceIngest.Settings.defaults());
        try {
            return ingest.ingest(Protocol.COAP, kind, device, format, payload).toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("ingest did not complete", e);
        }
    }

    private static void assertAccepted(Outcome outcome, String where) {
        assertThat(outcome).as(where).isInstanceOf(Outcome.Accepted.class);
        assertThat(((Outcome.Accepted) outcome).reading().flags()).as(where + ": flags").doesNotContain(Flag.UNPROVISIONED);
    }

    /** The documented command is the one {@link DeviceCommands} builds from its fields, but for the id. */
    private static void assertIsWhatTheGatewaySends(ObjectNode documented, String where) {
        DeviceCommand command = switch (documented.path("cmd").asText()) {
            case "lamp" -> new DeviceCommand.Lamp(documented.path("on").asBoolean(), documented.path("dim_pct").asInt(),
                    documented.path("flash").asBoolean());
            case "door" -> new DeviceCommand.Door(Arrays.stream(DeviceCommand.Door.Action.values())
                    .filter(a -> a.wireName().equals(documented.path("action").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError(where + ": no such door action")));
            case "siren" -> new DeviceCommand.Siren(documented.path("on").asBoolean());
            default -> throw new AssertionError(where + ": no such command " + documented.path("cmd"));
        };
        TestClock clock = new TestClock(0);
        ObjectNode sent = new DeviceCommands(16, Duration.ofMinutes(10), clock, new SimpleMeterRegistry())
                .send("lamp-b1-01", command).body().deepCopy();
        assertThat(documented.path("id").isTextual()).as(where + ": a command carries its id").isTrue();
        ObjectNode withoutId = documented.deepCopy();
        withoutId.remove("id");
        sent.remove("id");
        assertThat(withoutId).as(where).isEqualTo(sent);
    }

    private static Kind kind(String word) {
        return word.equals("event") ? Kind.EVENT : Kind.TELEMETRY;
    }

    private static List<DeviceType> deviceTypes() {
        return Arrays.stream(DeviceType.values()).filter(t -> t != DeviceType.GATEWAY).toList();
    }

    /** A rule as the document's tables write it. */
    private static String values(ValueRule rule) {
        if (rule instanceof Bool) {
            return "true/false";
        }
        if (rule instanceof Range range) {
            return DeviceProfile.number(range.min()) + ".." + DeviceProfile.number(range.max());
        }
        if (rule instanceof Text) {
            return "string";
        }
        return String.join(", ", new TreeSet<>(((OneOf) rule).values()));
    }

    // --- the document ---

    /** A values cell as {@link #values} writes it: a list of {@code `names`} in sorted order, else as it is. */
    private static String documentedValues(String cell) {
        if (!cell.startsWith("`")) {
            return cell;
        }
        return Arrays.stream(cell.split(",")).map(DevicesDocTest::code).sorted().collect(Collectors.joining(", "));
    }

    private static List<String> read() {
        try {
            return Files.readAllLines(DOC, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + DOC.toAbsolutePath(), e);
        }
    }

    /** The fenced blocks, each with the example marker on the line before it, if any. */
    private List<Block> blocks() {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < doc.size(); i++) {
            if (!doc.get(i).startsWith("```")) {
                continue;
            }
            String info = doc.get(i).substring(3).strip();
            Matcher marker = i > 0 ? MARKER.matcher(doc.get(i - 1)) : MARKER.matcher("");
            int start = i;
            StringBuilder body = new StringBuilder();
            for (i++; i < doc.size() && !doc.get(i).startsWith("```"); i++) {
                body.append(doc.get(i)).append('\n');
            }
            blocks.add(new Block(start + 1, marker.matches() ? marker.group(1) : null, info, body.toString()));
        }
        return blocks;
    }

    /** The rows of the table with this header, as cells; fails when there is no such table. */
    private List<List<String>> table(String header) {
        int at = doc.indexOf(header);
        assertThat(at).as("docs/devices.md has a table " + header).isNotNegative();
        List<List<String>> rows = new ArrayList<>();
        for (int i = at + 2; i < doc.size() && doc.get(i).startsWith("|"); i++) {
            String line = doc.get(i).strip();
            rows.add(Arrays.stream(line.substring(1, line.length() - 1).split("\\|", -1)).map(String::strip).toList());
        }
        assertThat(rows).as(header).isNotEmpty();
        return rows;
    }

    /** A cell's {@code `name`} without the backticks; fails when it is not one code span. */
    private static String code(String cell) {
        cell = cell.strip();
        assertThat(cell).as("a `name` cell").matches("`[^`]+`");
        return cell.substring(1, cell.length() - 1);
    }

    /** Hex digits, white space ignored and {@code #} comments to the end of a line dropped. */
    private static byte[] hex(String text) {
        String digits = Arrays.stream(text.split("\n")).map(l -> l.replaceAll("#.*", "")).collect(Collectors.joining())
                .replaceAll("\\s", "");
        assertThat(digits).as("hex").matches("([0-9a-f]{2})+");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < digits.length(); i += 2) {
            out.write(Integer.parseInt(digits.substring(i, i + 2), 16));
        }
        return out.toByteArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
