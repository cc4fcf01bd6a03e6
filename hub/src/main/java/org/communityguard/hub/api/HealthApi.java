package org.communityguard.hub.api;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/**
 * The hub's health, two questions, no token needed:
 * <ul>
 *   <li>{@code GET /api/health/live}: the process serves requests (200, always, whatever the
 *   database does). A supervisor restarts a hub that does not answer it; a database outage is
 *   no reason to restart the hub, whose ingest holds and retries on its own.</li>
 *   <li>{@code GET /api/health/ready}: the hub can store readings: 200 when its database answers,
 *   503 when it does not. A load balancer sends traffic only to a ready hub.
 *   {@code GET /api/health} is the same (the one route older setups probe).</li>
 * </ul>
 */
public final class HealthApi {

    private static final byte[] LIVE = "{\"status\": \"ok\"}".getBytes(StandardCharsets.UTF_8);

    private final DataSource dataSource;
    private final boolean timescale;
    private final LongSupplier queuedReadings;

    public HealthApi(DataSource dataSource, boolean timescale, LongSupplier queuedReadings) {
        this.dataSource = dataSource;
        this.timescale = timescale;
        this.queuedReadings = queuedReadings;
    }

    public Response live(Request req) {
        return Response.json(200, LIVE);
    }

    /**
     * Takes a pooled connection and checks it: at most the pool's connection timeout when the
     * database does not answer.
     */
    public Response ready(Request req) throws Exception {
        boolean dbUp;
        try (Connection c = dataSource.getConnection()) {
            dbUp = c.isValid(2);
        } catch (Exception e) {
            dbUp = false;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", dbUp ? "ok" : "degraded");
        body.put("database", dbUp ? "up" : "down");
        body.put("readings_store", timescale ? "timescaledb_hypertable" : "postgresql_table");
        body.put("ingest_queue_readings", queuedReadings.getAsLong());
        return Response.json(dbUp ? 200 : 503, req.json().writeValueAsBytes(body));
    }
}
