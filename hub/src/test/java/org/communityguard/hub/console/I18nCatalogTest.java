package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.auth.Scope;
import org.communityguard.hub.incident.IncidentType;
import org.communityguard.hub.incident.Note;
import org.communityguard.hub.incident.Severity;
import org.communityguard.hub.incident.lifecycle.Action;
import org.communityguard.hub.retention.DataClass;
import org.junit.jupiter.api.Test;

/** The console's message catalogs: both languages complete, every key the page uses defined. */
class I18nCatalogTest {

    private static final List<String> SCRIPTS = List.of("app.js", "board.js", "incident.js", "sitemap.js", "device.js",
            "format.js", "chart.js", "live.js", "alarm.js", "api.js", "dom.js", "i18n.js",
            "admin.js", "supervision.js", "settings.js", "audit.js", "gateways.js", "actions.js", "report.js", "sla.js",
            "keys.js");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{[a-z_]+}");

    private static String resource(String name) throws IOException {
        try (InputStream in = I18nCatalogTest.class.getResourceAsStream("/console/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static JsonNode catalog(String name) throws IOException {
        String js = resource(name);
        String object = js.substring(js.indexOf("export default ") + "export default ".length());
        return new ObjectMapper().readTree(object.substring(0, object.lastIndexOf('}') + 1));
    }

    private static Set<String> keys(JsonNode catalog) {
        Set<String> keys = new TreeSet<>();
        catalog.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void englishAndChineseHaveTheSameKeysAndPlaceholders() throws IOException {
        JsonNode en = catalog("messages-en.js");
        JsonNode zh = catalog("messages-zh-cn.js");
        assertThat(keys(zh)).isEqualTo(keys(en));
        for (Iterator<String> it = en.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            assertThat(zh.path(key).asText()).as(key).isNotBlank();
            assertThat(placeholders(zh.path(key).asText())).as("placeholders of " + key)
                    .isEqualTo(placeholders(en.path(key).asText()));
        }
    }

    @Test
    void everyKeyThePageUsesIsDefined() throws IOException {
        Set<String> defined = keys(catalog("messages-en.js"));
        List<String> used = new ArrayList<>();
        Matcher html = Pattern.compile("data-i18n(?:-aria-label)?=\"([^\"]+)\"").matcher(resource("index.html"));
        while (html.find()) {
            used.add(html.group(1));
        }
        Pattern call = Pattern.compile("\\bt\\('([a-z_.0-9]+)'");
        for (String script : SCRIPTS) {
            Matcher m = call.matcher(resource(script));
            while (m.find()) {
                // t('live.' + state) builds its key: the prefixes are checked in the next test.
                if (!m.group(1).endsWith(".")) {
                    used.add(m.group(1));
                }
            }
        }
        assertThat(used).hasSizeGreaterThan(50);
        assertThat(defined).containsAll(used);
    }

    @Test
    void everyValueTheHubSendsHasALabel() throws IOException {
        Set<String> defined = keys(catalog("messages-en.js"));
        List<String> needed = new ArrayList<>();
        for (Severity s : Severity.values()) {
            needed.add("severity." + s.wireName());
        }
        for (IncidentType type : IncidentType.values()) {
            needed.add("type." + type.name());
        }
        for (Role r : Role.values()) {
            needed.add("role." + r.wireName());
        }
        for (String status : List.of("open", "dispatched", "acknowledged", "on_site", "resolved", "closed", "cancelled")) {
            needed.add("status." + status);
        }
        for (String state : List.of("alarm", "offline", "warning", "ok", "unknown")) {
            needed.add("state." + state);
        }
        for (String type : List.of("lamp_post", "manhole", "smoke_detector", "door_access")) {
            needed.add("device_type." + type);
        }
        for (String range : List.of("6h", "24h", "7d", "30d")) {
            needed.add("range." + range);
        }
        for (String live : List.of("live", "reconnecting", "down")) {
            needed.add("live." + live);
        }
        // API keys: their scopes (a ':' in a key is spelt '_') and states.
        for (Scope s : Scope.values()) {
            needed.add("keys.scope." + s.wireName().replace(':', '_'));
        }
        for (String status : List.of("active", "expired", "revoked")) {
            needed.add("keys.status." + status);
        }
        // Retention (settings): the kinds of data, and what a run removed of each (retention.Purges).
        for (DataClass c : DataClass.values()) {
            needed.add("retention.class." + c.wireName());
        }
        for (String what : List.of("chunks", "rows", "uplink_batches", "hours", "incidents", "timeline_entries", "deadlines",
                "notifications", "notification_attempts", "resident_alerts", "reports", "photos", "groups", "entries",
                "readings_scrubbed")) {
            needed.add("retention.what." + what);
        }
        for (String outcome : List.of("done", "failed")) {
            needed.add("retention.outcome." + outcome);
        }
        // Timeline entries: the loop's actions and what the hub writes by itself.
        for (Action a : Action.values()) {
            needed.add("action." + a.timelineAction());
        }
        for (String entry : List.of("opened", "confirmed", "severity_raised", "escalated", "residents_alerted",
                "notification_undeliverable", Note.SENSOR_NORMAL, Note.LINKAGE)) {
            needed.add("action." + entry);
        }
        assertThat(defined).containsAll(needed);
    }

    private static List<String> placeholders(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        out.sort(null);
        return out;
    }
}
