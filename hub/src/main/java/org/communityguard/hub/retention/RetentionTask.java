package org.communityguard.hub.retention;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.storage.DatabaseListener;
import org.communityguard.hub.task.PollingTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces each kind of data's retention (docs/retention.md): at start, then every
 * {@code retention.interval}. Hubs sharing a database take turns: a run holds a session-level
 * advisory lock on a connection of its own for as long as it lasts (its batches commit one by
 * one, so a transaction-level lock would not do), and a hub that finds it taken skips its turn.
 * Every run that did the work is counted per class and kind, logged, and written to the audit
 * log ({@code retention.run}), which is also where the console reads the last run from.
 */
public final class RetentionTask implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetentionTask.class);

    static final String AUDIT_ACTION = "retention.run";
    private static final String LOCK = "SELECT pg_try_advisory_lock(hashtextextended('retention', 0))";
    private static final String UNLOCK = "SELECT pg_advisory_unlock(hashtextextended('retention', 0))";
    // The run's own connection has none of the pool's limits. A drop_chunks or DELETE that waits
    // for a lock (a long chart query on an old chunk) would queue every later reader of that
    // table behind it: it gives up instead, and the next run tries again. A batch is small, so
    // one that runs for minutes means something is wrong.
    private static final String LIMITS = "SET lock_timeout = '5s'; SET statement_timeout = '10min'";

    private final DatabaseListener.Connector connector;
    private final Purges purges;
    private final RetentionPolicy policy;
    private final AuditLog audit;
    private final Clock clock;
    private final MeterRegistry registry;
    private final PollingTask task;

    /**
     * @param connector a connection for one run, closed after it (outside the pool: closing it
     *                  ends the session, and with it the lock, whatever happened)
     */
    public RetentionTask(DatabaseListener.Connector connector, boolean timescale, RetentionPolicy policy, AuditLog audit,
                         Duration every, Clock clock, MeterRegistry registry) {
        this.connector = connector;
        this.purges = new Purges(timescale);
        this.policy = policy;
        this.audit = audit;
        this.clock = clock;
        this.registry = registry;
        for (String outcome : List.of("done", "failed", "skipped")) {
            runs(outcome);
        }
        this.task = new PollingTask("hub-retention", every, () -> {
            RetentionRun run = runOnce();
            if (run.outcome().equals("failed")) {
                log.warn("retention: trying again in {}", every);
            }
        });
    }

    public void start() {
        task.start();
    }

    /** One run, now; never throws (a failure is the run's outcome, and the next run tries again). */
    public RetentionRun runOnce() {
        Instant started = clock.instant();
        Map<DataClass, Map<String, Long>> removed = new EnumMap<>(DataClass.class);
        List<String> errors = new ArrayList<>();
        try (Connection c = connector.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute(LIMITS);
            }
            if (!locked(c)) {
                log.info("retention: another hub is enforcing retention; skipped");
                runs("skipped").increment();
                return new RetentionRun(started, clock.instant(), "skipped", removed, errors);
            }
            try {
                c.setAutoCommit(false);
                for (DataClass dc : DataClass.values()) {
                    Optional<Instant> cutoff = policy.cutoff(dc, started);
                    if (cutoff.isEmpty()) {
                        continue;
                    }
                    try {
                        Map<String, Long> n = purge(c, dc, cutoff.get());
                        removed.put(dc, n);
                        n.forEach((what, count) -> Counter.builder("hub.retention.removed")
                                .description("data removed by retention, per class and kind (chunks, rows, incidents, ...)")
                                .tag("class", dc.wireName()).tag("what", what).register(registry).increment(count));
                    } catch (SQLException | RuntimeException e) {
                        c.rollback();
                        errors.add(dc.wireName() + ": " + e.getMessage());
                        log.warn("retention of {} (before {}) failed: {}", dc.wireName(), cutoff.get(), e.toString());
                    }
                }
                RetentionRun run = new RetentionRun(started, clock.instant(), errors.isEmpty() ? "done" : "failed",
                        removed, errors);
                record(c, run);
                return run;
            } finally {
                c.rollback();
                c.setAutoCommit(true);
                try (Statement st = c.createStatement()) {
                    st.execute(UNLOCK);
                }
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("retention run failed: {}", e.toString());
            errors.add(e.getMessage());
            runs("failed").increment();
            return new RetentionRun(started, clock.instant(), "failed", removed, errors);
        }
    }

    private Map<String, Long> purge(Connection c, DataClass dc, Instant cutoff) throws SQLException {
        return switch (dc) {
            case READINGS -> purges.readings(c, cutoff);
            case ROLLUPS -> purges.rollups(c, cutoff);
            case INCIDENTS -> purges.incidents(c, cutoff);
            case AUDIT -> purges.audit(c, cutoff);
            case PERSONAL -> purges.personal(c, cutoff);
        };
    }

    private static boolean locked(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(LOCK)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** Counted, logged, audited: what each class kept from when, and what went. */
    private void record(Connection c, RetentionRun run) throws SQLException {
        Map<String, Object> classes = new LinkedHashMap<>();
        for (DataClass dc : DataClass.values()) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("keep", dc.setting().type().format(policy.keep(dc)));
            one.put("cutoff", policy.cutoff(dc, run.startedAt()).map(Instant::toString).orElse(null));
            one.put("removed", run.removed(dc));
            classes.put(dc.wireName(), one);
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("outcome", run.outcome());
        details.put("started_at", run.startedAt().toString());
        details.put("finished_at", run.finishedAt().toString());
        details.put("classes", classes);
        details.put("errors", run.errors());
        audit.record(c, "system", AUDIT_ACTION, "retention", null, details);
        c.commit();
        runs(run.outcome()).increment();
        log.info("retention: {} in {} ms, removed {}{}", run.outcome(),
                Duration.between(run.startedAt(), run.finishedAt()).toMillis(), removedByName(run),
                run.errors().isEmpty() ? "" : ", errors " + run.errors());
    }

    private static Map<String, Map<String, Long>> removedByName(RetentionRun run) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        run.removed().forEach((dc, n) -> out.put(dc.wireName(), n));
        return out;
    }

    private Counter runs(String outcome) {
        return Counter.builder("hub.retention.runs")
                .description("retention runs: done, failed, or skipped because another hub was running it")
                .tag("outcome", outcome).register(registry);
    }

    @Override
    public void close() {
        task.close();
    }
}
