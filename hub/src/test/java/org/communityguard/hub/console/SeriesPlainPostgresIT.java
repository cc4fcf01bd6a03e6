package org.communityguard.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Without TimescaleDB (the demo's database) series come from date_bin, with the same buckets as time_bucket. */
@ExtendWith(RealServers.class)
class SeriesPlainPostgresIT {

    @Test
    void plainPostgresGivesTheSameBuckets(TimescaleDb timescale) throws Exception {
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of("HUB_DB_TIMESCALE", "off"))) {
            try (Connection c = hub.database().dataSource().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("""
                        INSERT INTO readings (time, received_at, gateway_id, device_id, device_type, kind, data)
                        SELECT t, t, 'gw-sunny-1', 'smoke-b1-01', 'smoke_detector', 'telemetry',
                               jsonb_build_object('temp_c', extract(minute FROM t))
                        FROM generate_series(TIMESTAMPTZ '2026-01-05 10:00:00+00', TIMESTAMPTZ '2026-01-12 09:59:00+00',
                                             interval '1 minute') AS t
                        """);
            }
            HttpClient http = HttpClient.newHttpClient();
            ObjectMapper json = new ObjectMapper();
            String base = "http://127.0.0.1:" + hub.httpPort();
            String token = json.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/api/auth/token"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + HubFixture.ADMIN_PASSWORD + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body()).path("token").asText();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/api/devices/smoke-b1-01/series?field=temp_c&from=2026-01-05T10:00:00Z&to=2026-01-12T10:00:00Z"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode week = json.readTree(r.body());
            assertThat(week.path("bucket_seconds").asLong()).isEqualTo(3600);
            // Not rolled up yet (the hub's rollup ran before these readings existed): computed hour by hour now.
            assertThat(week.path("recomputed_hours").asInt()).isEqualTo(168);
            assertThat(week.path("points")).hasSize(168);
            JsonNode first = week.path("points").get(0);
            assertThat(first.path("t").asText()).isEqualTo("2026-01-05T10:00:00Z");
            assertThat(first.path("avg").asDouble()).isEqualTo(29.5);
            assertThat(first.path("min").asDouble()).isEqualTo(0.0);
            assertThat(first.path("max").asDouble()).isEqualTo(59.0);
            assertThat(first.path("n").asLong()).isEqualTo(60);
        }
    }
}
