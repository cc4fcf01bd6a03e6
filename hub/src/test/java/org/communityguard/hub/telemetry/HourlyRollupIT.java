package org.communityguard.hub.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Pattern;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Charts over days come from the hourly rollup, and say the same as the readings: also when a
 * reading arrives late, after its hour was rolled up.
 */
@ExtendWith(RealServers.class)
class HourlyRollupIT {

    private static final Pattern ROLLUP_RUNS = Pattern.compile("(?m)^hub_telemetry_rollup_runs_total [1-9]");

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void rolledUpHoursGiveTheSameSeriesAndLateReadingsAreCountedIn(TimescaleDb timescale) throws Exception {
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of("HUB_TELEMETRY_ROLLUP_EVERY", "1h"))) {
            // The hub's own rollup passes once at start, then not for an hour: wait for that pass,
            // so it cannot roll up (part of) the history below behind the test's back.
            await().atMost(Duration.ofSeconds(30)).until(() -> ROLLUP_RUNS.matcher(hub.scrapeMetrics()).find());
            // 72 whole hours that end at an hour boundary, rolled up by a clock of the test's: what is
            // counted does not depend on the minute the test runs in (the rollup waits SETTLE after an hour).
            Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
            Instant start = end.minus(Duration.ofHours(72));
            try (Connection c = hub.database().dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("""
                         INSERT INTO readings (time, received_at, gateway_id, device_id, device_type, kind, data)
                         SELECT t, t, 'gw-sunny-1', 'lamp-b2-02', 'lamp_post', 'telemetry',
                                jsonb_build_object('temp_c', extract(minute FROM t), 'lamp_on', extract(minute FROM t) < 15,
                                                   'note', 'text is not rolled up')
                         FROM generate_series(?::timestamptz, ?::timestamptz - interval '1 minute', interval '1 minute') AS t
                         """)) {
                ps.setTimestamp(1, Timestamp.from(start));
                ps.setTimestamp(2, Timestamp.from(end));
                ps.executeUpdate();
            }
            HourlyRollup rollup = new HourlyRollup(hub.database().dataSource(), true, Duration.ofHours(1),
                    Clock.fixed(end.plus(HourlyRollup.SETTLE).plus(Duration.ofMinutes(1)), ZoneOffset.UTC),
                    new SimpleMeterRegistry());
            assertThat(rollup.runOnce()).isEqualTo(72);
            assertThat(rollup.runOnce()).as("nothing new").isZero();
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM readings_hourly WHERE device_id = 'lamp-b2-02'"))
                    .isEqualTo(72);

            String token = token(hub);
            String week = "/api/devices/lamp-b2-02/series?field=temp_c&from=" + end.minus(Duration.ofDays(7)) + "&to=" + end;
            JsonNode series = get(hub, token, week);
            assertThat(series.path("bucket_seconds").asLong()).isEqualTo(3600);
            assertThat(series.path("rollup_hours").asInt()).isEqualTo(72);
            assertThat(series.path("recomputed_hours").asInt()).isZero();
            JsonNode first = series.path("points").get(0);
            assertThat(first.path("t").asText()).isEqualTo(start.toString());
            assertThat(first.path("avg").asDouble()).isEqualTo(29.5);
            assertThat(first.path("min").asDouble()).isEqualTo(0.0);
            assertThat(first.path("max").asDouble()).isEqualTo(59.0);
            assertThat(first.path("n").asLong()).isEqualTo(60);
            assertThat(series.path("points").size()).isEqualTo(72);
            long total = 0;
            for (JsonNode p : series.path("points")) {
                total += p.path("n").asLong();
            }
            assertThat(total).as("every reading, rolled up or not")
                    .isEqualTo(HubFixture.count(hub, "SELECT count(*) FROM readings WHERE device_id = 'lamp-b2-02'"));

            JsonNode lamp = get(hub, token, week.replace("temp_c", "lamp_on"));
            assertThat(lamp.path("points").get(0).path("avg").asDouble()).isEqualTo(0.25);

            // A gateway back from an outage delivers a reading for an hour rolled up long ago.
            try (Connection c = hub.database().dataSource().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO readings (time, received_at, gateway_id, device_id, device_type, kind, data)"
                        + " VALUES ('" + start.plusSeconds(30) + "', now(), 'gw-sunny-1', 'lamp-b2-02', 'lamp_post',"
                        + " 'telemetry', '{\"temp_c\": 1000}')");
            }
            JsonNode healed = get(hub, token, week);
            assertThat(healed.path("recomputed_hours").asInt()).isEqualTo(1);
            assertThat(healed.path("points").get(0).path("max").asDouble()).isEqualTo(1000.0);
            assertThat(healed.path("points").get(0).path("n").asLong()).isEqualTo(61);
            assertThat(get(hub, token, week).path("recomputed_hours").asInt()).as("and stored").isZero();
        }
    }

    private String token(Hub hub) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + "/api/auth/token"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + HubFixture.ADMIN_PASSWORD + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        return json.readTree(r.body()).path("token").asText();
    }

    private JsonNode get(Hub hub, String token, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.httpPort() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body());
    }
}
