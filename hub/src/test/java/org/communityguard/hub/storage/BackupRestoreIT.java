package org.communityguard.hub.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.communityguard.hub.ingest.UplinkTestClient.reading;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.ingest.UplinkTestClient;
import org.communityguard.testkit.Database;
import org.communityguard.testkit.DurablePostgres;
import org.communityguard.testkit.RealServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The backup procedure of docs/hub-install.md section 7 (issue 13), run on a durable PostgreSQL
 * with TimescaleDB holding a real hub's schema: WAL archiving, a base backup with
 * {@code pg_basebackup}, more writes, the server stopped with {@code -m immediate}, a restore
 * into a fresh data directory with {@code restore_command} and {@code recovery.signal}.
 *
 * <p>The postgresql.conf lines, the {@code pg_basebackup} options and the restore's shell
 * commands are read from the section itself (only its paths replaced by the test's), so the
 * documented procedure is what runs here.
 */
@ExtendWith(RealServers.class)
class BackupRestoreIT {

    private static final Path DOC = Path.of("../docs/hub-install.md");
    /** The documented archive mount, replaced by a scratch directory of the server's. */
    private static final String DOC_ARCHIVE = "/srv/pg-archive";
    private static final String DOC_DATA = "/var/lib/postgresql/<major>/main";
    private static final String TOPIC = "uplink/v1/" + HubFixture.GATEWAY + "/batch";
    /** Generous: archiving and recovery take a second or two here. */
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aRestoreReplaysTheArchivedWalOnTopOfTheBaseBackup(DurablePostgres postgres) throws Exception {
        Path archive = enableArchiving(postgres);
        Database db = postgres.createDatabase();
        Path backup;
        try (Hub hub = HubFixture.start(db, Map.of())) {
            assertThat(hub.database().timescale()).as("readings is a hypertable").isTrue();
            store(hub, "before-backup", 100, alarm("before-backup"));
            backup = baseBackup(postgres, db, archive);
            store(hub, "after-backup", 50);
        }
        archiveTheCurrentSegment(db, archive);
        postgres.stop(DurablePostgres.Shutdown.IMMEDIATE);

        restore(postgres, db, backup, restoreSettings(archive, null));

        assertThat(count(db, "SELECT count(*) FROM readings WHERE data->>'phase' = 'before-backup'"))
                .as("readings in the base backup").isEqualTo(101);
        assertThat(count(db, "SELECT count(*) FROM readings WHERE data->>'phase' = 'after-backup'"))
                .as("readings only in the archived WAL").isEqualTo(50);
        assertThat(count(db, "SELECT count(*) FROM incidents WHERE type = 'FIRE' AND device_id = 'smoke-b1-01'"
                + " AND is_open")).as("the fire incident").isEqualTo(1);
        assertThat(count(db, "SELECT count(*) FROM timescaledb_information.hypertables WHERE hypertable_name = 'readings'"))
                .as("readings still a hypertable").isEqualTo(1);
        assertThat(count(db, "SELECT coalesce(sum(n), 0) FROM (SELECT time_bucket('1 minute', time) AS minute, count(*) AS n"
                + " FROM readings WHERE data->>'phase' IS NOT NULL GROUP BY minute) buckets")).as("time_bucket over the restored rows")
                .isEqualTo(151);

        // The doc's last step: the hubs start again on the restored database (Flyway validates
        // its history) and store into the hypertable.
        try (Hub hub = HubFixture.start(db, Map.of())) {
            store(hub, "after-restore", 10);
        }
        assertThat(count(db, "SELECT count(*) FROM readings WHERE data->>'phase' = 'after-restore'")).isEqualTo(10);
    }

    @Test
    void aRestoreToAMomentLeavesOutWhatWasCommittedAfterIt(DurablePostgres postgres) throws Exception {
        Path archive = enableArchiving(postgres);
        Database db = postgres.createDatabase();
        Path backup;
        String moment;
        try (Hub hub = HubFixture.start(db, Map.of())) {
            store(hub, "before-backup", 20);
            backup = baseBackup(postgres, db, archive);
            store(hub, "kept", 20);
            // After the PUBACK of "kept", so after its commit; before "lost" was even sent.
            moment = text(db, "SELECT clock_timestamp()::text");
            store(hub, "lost", 20, alarm("lost"));
        }
        archiveTheCurrentSegment(db, archive);
        postgres.stop(DurablePostgres.Shutdown.IMMEDIATE);

        restore(postgres, db, backup, restoreSettings(archive, moment));

        assertThat(count(db, "SELECT count(*) FROM readings WHERE data->>'phase' = 'before-backup'")).isEqualTo(20);
        assertThat(count(db, "SELECT count(*) FROM readings WHERE data->>'phase' = 'kept'"))
                .as("committed before " + moment).isEqualTo(20);
        assertThat(count(db, "SELECT count(*) FROM readings WHERE data->>'phase' = 'lost'"))
                .as("committed after " + moment).isZero();
        assertThat(count(db, "SELECT count(*) FROM incidents WHERE type = 'FIRE'")).as("the later fire").isZero();
    }

    /**
     * Section 7's postgresql.conf lines with the archive in a scratch directory (owned by the
     * server's user, with {@code wal/} and {@code base/}), then a restart: archive_mode is read
     * only at start.
     */
    private static Path enableArchiving(DurablePostgres postgres) throws IOException {
        Path archive = postgres.createDirectory("pg-archive");
        postgres.runAsServerUser(List.of("mkdir", archive.resolve("wal").toString(), archive.resolve("base").toString()));
        String settings = docBlock("archive_command =").replace(DOC_ARCHIVE, archive.toString());
        // The doc's 60 s would not matter here (the test switches segments itself); a later line wins.
        postgres.configure(settings + "archive_timeout = 5\n");
        postgres.stop(DurablePostgres.Shutdown.FAST);
        postgres.restart();
        return archive;
    }

    /** The doc's {@code pg_basebackup} line, connecting to the test server over TCP instead of the default socket. */
    private static Path baseBackup(DurablePostgres postgres, Database db, Path archive) throws IOException {
        Matcher line = Pattern.compile("(?m)^pg_basebackup -D (\\S+) (.+)$")
                .matcher(docSection().replace("$(date +%Y%m%d)", today()));
        assertThat(line.find()).as("a pg_basebackup line in " + DOC).isTrue();
        Path target = Path.of(line.group(1).replace(DOC_ARCHIVE, archive.toString()));
        List<String> command = new ArrayList<>(List.of(postgres.program("pg_basebackup").toString(),
                "-h", postgres.host(), "-p", Integer.toString(postgres.port()), "-U", db.user(), "-D", target.toString()));
        command.addAll(Arrays.asList(line.group(2).trim().split("\\s+")));
        postgres.runAsServerUser(command);
        assertThat(target.resolve("base.tar.gz")).exists();
        assertThat(target.resolve("pg_wal.tar.gz")).exists();
        assertThat(target.resolve("backup_manifest")).exists();
        return target;
    }

    /**
     * Ends the WAL segment holding the last writes ({@code pg_switch_wal()}, as archive_timeout
     * would) and waits until the archiver has copied it. Segments are archived in name order, so
     * a last archived name at or past it means it is in the archive.
     */
    private static void archiveTheCurrentSegment(Database db, Path archive) throws SQLException {
        String segment = text(db, "SELECT pg_walfile_name(pg_switch_wal())");
        await("WAL segment " + segment + " archived into " + archive.resolve("wal")).atMost(WAIT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> Files.exists(archive.resolve("wal").resolve(segment))
                        && text(db, "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver").compareTo(segment) >= 0);
        assertThat(count(db, "SELECT failed_count FROM pg_stat_archiver")).as("failed archive_command runs").isZero();
    }

    /**
     * The restore of section 7: its shell block (as the server's OS user, paths replaced; the
     * service commands are the test's stop and restart), the check of the extracted backup with
     * pg_verifybackup, the postgresql.conf lines, recovery.signal, start, and the wait until
     * recovery has ended.
     */
    private static void restore(DurablePostgres postgres, Database db, Path backup, String settings) throws IOException {
        Path data = postgres.dataDirectory();
        for (String command : docBlock("pg_wal.tar.gz -C").lines().toList()) {
            if (command.isBlank() || command.startsWith("systemctl ")) {
                continue;
            }
            String runnable = command
                    .replace("sudo -u postgres ", "")
                    // Run as the server's user already: the new directory is its own without root's -o/-g.
                    .replace("-o postgres -g postgres ", "")
                    .replace(DOC_ARCHIVE + "/base/<date>", backup.toString())
                    .replace(DOC_DATA, data.toString());
            postgres.runAsServerUser(List.of("/bin/sh", "-c", runnable));
        }
        // PostgreSQL 15's pg_verifybackup reads plain backups only: it checks the extracted files
        // (and the WAL in pg_wal with pg_waldump) against the manifest, before the server changes them.
        postgres.runAsServerUser(List.of(postgres.program("pg_verifybackup").toString(),
                "-m", backup.resolve("backup_manifest").toString(), data.toString()));
        postgres.configure(settings);
        postgres.runAsServerUser(List.of("touch", data.resolve("recovery.signal").toString()));
        postgres.restart();
        await("recovery to end: pg_is_in_recovery() = false").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> "f".equals(text(db, "SELECT pg_is_in_recovery()")));
    }

    /**
     * The restore's postgresql.conf block; with a moment, its commented {@code recovery_target_*}
     * lines are uncommented, the time set to the moment.
     */
    private static String restoreSettings(Path archive, String moment) throws IOException {
        String block = docBlock("restore_command =").replace(DOC_ARCHIVE, archive.toString());
        if (moment == null) {
            return block;
        }
        return block.lines().map(line -> {
            if (!line.startsWith("# recovery_target_")) {
                return line;
            }
            String setting = line.substring(2);
            return setting.startsWith("recovery_target_time") ? setting.replaceFirst("'[^']*'", "'" + moment + "'") : setting;
        }).collect(Collectors.joining("\n", "", "\n"));
    }

    private static String docSection() throws IOException {
        String doc = Files.readString(DOC, StandardCharsets.UTF_8);
        int start = doc.indexOf("## 7. Backups");
        assertThat(start).as("section 7 of " + DOC).isNotNegative();
        int end = doc.indexOf("\n## 8.", start);
        return end < 0 ? doc.substring(start) : doc.substring(start, end);
    }

    /** The code block of section 7 that contains {@code marker}. */
    private static String docBlock(String marker) throws IOException {
        Matcher block = Pattern.compile("```[a-z]*\\n(.*?)```", Pattern.DOTALL).matcher(docSection());
        while (block.find()) {
            if (block.group(1).contains(marker)) {
                return block.group(1);
            }
        }
        throw new AssertionError("no code block with '" + marker + "' in section 7 of " + DOC);
    }

    private static String today() {
        return LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
    }

    /** A smoke alarm of building 1, which opens a FIRE incident. */
    private static String alarm(String phase) {
        return reading("smoke-b1-01", "smoke_detector", "event", System.currentTimeMillis(),
                "{\"event\": \"alarm\", \"level\": \"alarm\", \"phase\": \"" + phase + "\"}");
    }

    /** {@code lamps} lamp readings and {@code more} in one batch through the uplink, acknowledged (so committed). */
    private static void store(Hub hub, String phase, int lamps, String... more) throws Exception {
        long rx = System.currentTimeMillis();
        List<String> readings = new ArrayList<>();
        for (int i = 0; i < lamps; i++) {
            readings.add(reading("lamp-b1-01", "lamp_post", "telemetry", rx + i,
                    "{\"lamp_on\": true, \"phase\": \"" + phase + "\"}"));
        }
        readings.addAll(List.of(more));
        try (UplinkTestClient gw = new UplinkTestClient(hub.uplinkPort(), HubFixture.GATEWAY, HubFixture.GATEWAY_SECRET)) {
            UplinkTestClient.Ack ack = gw.publish(TOPIC, UplinkTestClient.batch(HubFixture.GATEWAY, readings.toArray(String[]::new)));
            assertThat(ack.reasonCode()).as("PUBACK of the " + phase + " batch").isZero();
            assertThat(ack.rejected()).as("rejected readings of the " + phase + " batch").isIn(null, "0");
        }
    }

    private static long count(Database db, String sql) throws SQLException {
        return Long.parseLong(text(db, sql));
    }

    private static String text(Database db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
