package org.communityguard.hub.api;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.sql.DataSource;

/** {@code GET /api/health}: 200 when the hub can store readings, 503 when it cannot. No token needed. */
public final class HealthApi {

    private final DataSource dataSource;
    private final boolean timescale;
    private final LongSupplier queuedReadings;

    public HealthApi(DataSource dataSource, boolean timescale, LongSupplier queuedReadings) {
        this.dataSource = dataSource;
        this.timescale = timescale;
        this.queuedReadings = queuedReadings;
    }

    public Response health(Request req) throws Exception {
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
