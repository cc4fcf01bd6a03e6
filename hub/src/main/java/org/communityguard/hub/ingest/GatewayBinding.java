package org.communityguard.hub.ingest;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.site.SiteRegistry;
import org.communityguard.hub.storage.DatabaseListener;
import org.communityguard.hub.task.PollingTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gateways are bound to their devices (docs/uplink.md, "A gateway's devices"). A reading of a
 * device the registry gives to another gateway, or to another community than the gateway's, is
 * refused alone ({@value #OTHER_GATEWAY}, {@value #OTHER_COMMUNITY}), unless it is a safety
 * alarm ({@link IncomingReading#isSafetyAlarm}): a fire must never be lost to a registry mistake
 * or a device that was moved, so an alarm is kept, flagged {@value #FOREIGN_GATEWAY} or
 * {@value #FOREIGN_COMMUNITY}, and raises its incident where the device is registered. A device
 * in no registry is kept and flagged {@value #UNPROVISIONED} by the hub, whether its gateway
 * said so or not.
 *
 * <p>The check runs on the network thread for every reading, so the registry is held in
 * memory: each provisioned device's gateway and community, and each gateway's community, read
 * whole at start and again whenever a hub loads a site file (it notifies
 * {@value SiteRegistry#CHANGED_CHANNEL}, so every hub of the database follows within moments),
 * after the listening connection is lost and found again, and every {@link #REFRESH} for edits
 * made behind the hubs' backs. A lookup in a map per reading, no query.
 */
public final class GatewayBinding implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayBinding.class);

    public static final String OTHER_GATEWAY = "device_of_another_gateway";
    public static final String OTHER_COMMUNITY = "device_of_another_community";
    public static final String FOREIGN_GATEWAY = "foreign_gateway";
    public static final String FOREIGN_COMMUNITY = "foreign_community";
    public static final String UNPROVISIONED = "unprovisioned";

    /** The registry is read again this often without a notification. */
    static final Duration REFRESH = Duration.ofMinutes(5);
    private static final Duration LISTEN_RETRY = Duration.ofSeconds(5);

    /** A provisioned device's place in the registry. */
    record Device(String gatewayId, String communityId) {
    }

    /** The registry as the check sees it; replaced whole, never changed in place. */
    record Registry(Map<String, Device> devices, Map<String, String> communityOfGateway) {
        static final Registry EMPTY = new Registry(Map.of(), Map.of());
    }

    /** A batch after the check, and the safety alarms it kept of devices registered elsewhere. */
    record Checked(UplinkBatch batch, List<UplinkBatch.Rejected> foreignAlarms) {
    }

    private final DataSource dataSource;
    private volatile Registry registry = Registry.EMPTY;
    private PollingTask task;
    private DatabaseListener listener;
    private long failures;

    public GatewayBinding(DataSource dataSource, MeterRegistry metrics) {
        this.dataSource = dataSource;
        Gauge.builder("hub.registry.devices", this, b -> b.registry.devices().size())
                .description("provisioned devices the uplink checks readings against").register(metrics);
    }

    /** Reads the registry now, then keeps following it. */
    public void start(DatabaseListener.Connector connector) throws SQLException {
        reload();
        task = new PollingTask("hub-registry", REFRESH, this::refresh);
        listener = new DatabaseListener(SiteRegistry.CHANGED_CHANNEL, connector, task::wake, LISTEN_RETRY);
        task.start();
        listener.start();
    }

    /** Reads every provisioned device and gateway in one statement, so one snapshot. */
    void reload() throws SQLException {
        Map<String, Device> devices = new HashMap<>();
        Map<String, String> gateways = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT true, id, gateway_id, community_id FROM devices WHERE provisioned"
                     + " UNION ALL SELECT false, id, NULL, community_id FROM gateways WHERE community_id IS NOT NULL")) {
            while (rs.next()) {
                if (rs.getBoolean(1)) {
                    devices.put(rs.getString(2), new Device(rs.getString(3), rs.getString(4)));
                } else {
                    gateways.put(rs.getString(2), rs.getString(4));
                }
            }
        }
        registry = new Registry(Map.copyOf(devices), Map.copyOf(gateways));
    }

    private void refresh() {
        try {
            reload();
            if (failures > 0) {
                log.info("device registry read again after {} failed attempts", failures);
                failures = 0;
            }
        } catch (SQLException | RuntimeException e) {
            // The registry in memory stays as it was: stale for a device moved meanwhile, never empty.
            if (failures++ == 0) {
                log.warn("cannot read the device registry ({}); readings are checked against the last one read",
                        e.toString());
            }
        }
    }

    Checked check(UplinkBatch batch) {
        return check(registry, batch);
    }

    /** Pure: what {@code registry} makes of {@code batch}. */
    static Checked check(Registry registry, UplinkBatch batch) {
        String gatewayId = batch.gatewayId();
        String community = registry.communityOfGateway().get(gatewayId);
        List<IncomingReading> in = batch.readings();
        List<IncomingReading> out = null;
        List<UplinkBatch.Rejected> refused = new ArrayList<>(0);
        List<UplinkBatch.Rejected> foreign = new ArrayList<>(0);
        for (int i = 0; i < in.size(); i++) {
            IncomingReading r = in.get(i);
            IncomingReading kept = r;
            // A gateway's own readings (type gateway) name the gateway, not a device of the registry.
            if (!"gateway".equals(r.deviceType())) {
                Device d = registry.devices().get(r.deviceId());
                String reason = d == null ? null : violation(d, gatewayId, community);
                if (d == null) {
                    kept = r.withFlag(UNPROVISIONED);
                } else if (reason != null) {
                    UplinkBatch.Rejected v = new UplinkBatch.Rejected(batch.indexOf(i), reason,
                            describe(r, d, reason, gatewayId, community));
                    if (r.isSafetyAlarm()) {
                        foreign.add(v);
                        kept = r.withFlag(OTHER_GATEWAY.equals(reason) ? FOREIGN_GATEWAY : FOREIGN_COMMUNITY);
                    } else {
                        refused.add(v);
                        kept = null;
                    }
                }
            }
            if (kept != r && out == null) {
                out = new ArrayList<>(in.subList(0, i));
            }
            if (out != null && kept != null) {
                out.add(kept);
            }
        }
        if (out == null) {
            return new Checked(batch, List.of());
        }
        List<UplinkBatch.Rejected> rejected = new ArrayList<>(batch.rejected());
        rejected.addAll(refused);
        rejected.sort(Comparator.comparingInt(UplinkBatch.Rejected::index));
        return new Checked(new UplinkBatch(gatewayId, batch.batchId(), List.copyOf(out), List.copyOf(rejected)),
                List.copyOf(foreign));
    }

    /** Null when the device is the gateway's; else the reason. A gateway in no community has no community to differ. */
    private static String violation(Device d, String gatewayId, String community) {
        if (community != null && d.communityId() != null && !community.equals(d.communityId())) {
            return OTHER_COMMUNITY;
        }
        return gatewayId.equals(d.gatewayId()) ? null : OTHER_GATEWAY;
    }

    private static String describe(IncomingReading r, Device d, String reason, String gatewayId, String community) {
        return OTHER_GATEWAY.equals(reason)
                ? "device " + r.deviceId() + " is registered to gateway " + d.gatewayId() + ", not to " + gatewayId
                : "device " + r.deviceId() + " is registered in community " + d.communityId() + ", not in " + community
                        + " of gateway " + gatewayId;
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.close();
        }
        if (task != null) {
            task.close();
        }
    }
}
