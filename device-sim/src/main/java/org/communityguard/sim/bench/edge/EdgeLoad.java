package org.communityguard.sim.bench.edge;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.communityguard.sim.link.CoapGateway;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Many devices' worth of readings from a few sockets: MQTT telemetry of {@code mqttDevices}
 * lamp-posts published over {@code connections} Paho connections (a real device has its own,
 * but 1,000 Paho clients would cost 4,000 threads here), and CoAP telemetry of
 * {@code coapDevices} smoke detectors from one CoAP endpoint. Every message is a valid
 * device-profile reading with its own per-device {@code seq}; what was acknowledged (PUBACK from
 * the broker, 2.04 from the gateway) is recorded by (device, seq).
 */
public final class EdgeLoad implements AutoCloseable {

    private static final int MQTT_WINDOW = 1000;
    private static final int COAP_WINDOW = 64;

    private final String prefix;
    private final int mqttDevices;
    private final int coapDevices;
    private final List<MqttAsyncClient> clients = new ArrayList<>();
    private final List<Semaphore> windows = new ArrayList<>();
    private final CoapGateway coap;
    private final Semaphore coapWindow = new Semaphore(COAP_WINDOW);
    private final long[] nextSeq;
    private final Map<String, BitSet> acked = new ConcurrentHashMap<>();
    private final AtomicLong ackedCount = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long sent;

    /**
     * @param prefix device ids are {@code prefix-lamp-0001}, {@code prefix-smoke-0001}, ...
     * @param coapBase the gateway's CoAP URI, or null for MQTT only
     */
    public EdgeLoad(String brokerUrl, URI coapBase, String prefix, int mqttDevices, int coapDevices, int connections)
            throws MqttException {
        this.prefix = prefix;
        this.mqttDevices = mqttDevices;
        this.coapDevices = coapDevices;
        this.nextSeq = new long[mqttDevices + coapDevices];
        for (int i = 0; i < connections && mqttDevices > 0; i++) {
            MqttAsyncClient c = new MqttAsyncClient(brokerUrl, prefix + "-load-" + i, new MemoryPersistence());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setCleanSession(true);
            o.setMaxInflight(MQTT_WINDOW);
            o.setKeepAliveInterval(30);
            c.connect(o).waitForCompletion(15_000);
            clients.add(c);
            windows.add(new Semaphore(MQTT_WINDOW));
        }
        this.coap = coapDevices > 0 && coapBase != null ? new CoapGateway(coapBase) : null;
    }

    public String deviceId(int i) {
        return i < mqttDevices ? String.format("%s-lamp-%04d", prefix, i) : String.format("%s-smoke-%04d", prefix, i - mqttDevices);
    }

    public int devices() {
        return mqttDevices + (coap == null ? 0 : coapDevices);
    }

    /** Sends the next reading of device {@code i}, waiting for room in its connection's window. */
    public void sendOne(int i) throws InterruptedException {
        String id = deviceId(i);
        long seq = nextSeq[i]++;
        sent++;
        if (i < mqttDevices) {
            int k = i % clients.size();
            Semaphore window = windows.get(k);
            window.acquire();
            byte[] payload = lamp(seq);
            try {
                clients.get(k).publish("devices/" + id + "/telemetry", payload, 1, false, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        window.release();
                        record(id, seq);
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable e) {
                        window.release();
                        failed.incrementAndGet();
                    }
                });
            } catch (MqttException e) {
                window.release();
                failed.incrementAndGet();
            }
        } else {
            coapWindow.acquire();
            coap.post(coap.uri("telemetry", id), smoke(seq), MediaTypeRegistry.APPLICATION_JSON, new CoapHandler() {
                @Override
                public void onLoad(CoapResponse response) {
                    coapWindow.release();
                    if (response.getCode() == CoAP.ResponseCode.CHANGED) {
                        record(id, seq);
                    } else {
                        failed.incrementAndGet();
                    }
                }

                @Override
                public void onError() {
                    coapWindow.release();
                    failed.incrementAndGet();
                }
            });
        }
    }

    /** {@code perDevice} readings from every device, round-robin. */
    public void sendRounds(int perDevice) throws InterruptedException {
        for (int r = 0; r < perDevice; r++) {
            for (int i = 0; i < devices(); i++) {
                sendOne(i);
            }
        }
    }

    /** As fast as the windows allow, round-robin, until {@code duration} has passed. */
    public void sendFor(Duration duration) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            for (int i = 0; i < devices(); i++) {
                sendOne(i);
            }
        }
    }

    /** Waits until every message sent is acknowledged or failed. */
    public boolean awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ackedCount.get() + failed.get() < sent) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return true;
    }

    public long sent() {
        return sent;
    }

    public long acknowledged() {
        return ackedCount.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Per device, the seqs acknowledged. */
    public Map<String, TreeSet<Long>> acknowledgedSeqs() {
        Map<String, TreeSet<Long>> out = new TreeMap<>();
        acked.forEach((id, bits) -> {
            TreeSet<Long> seqs = new TreeSet<>();
            synchronized (bits) {
                bits.stream().forEach(s -> seqs.add((long) s));
            }
            out.put(id, seqs);
        });
        return out;
    }

    private void record(String id, long seq) {
        BitSet bits = acked.computeIfAbsent(id, k -> new BitSet());
        synchronized (bits) {
            bits.set((int) seq);
        }
        ackedCount.incrementAndGet();
    }

    private static byte[] lamp(long seq) {
        return ("{\"v\":1,\"type\":\"lamp_post\",\"ts\":" + System.currentTimeMillis() + ",\"seq\":" + seq
                + ",\"data\":{\"lamp_on\":true,\"dim_pct\":80,\"power_w\":61.5,\"voltage_v\":229.8,\"current_a\":0.27,"
                + "\"leakage_ma\":1.2,\"tilt_deg\":0.4,\"lux\":3.1,\"cabinet_open\":false}}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] smoke(long seq) {
        return ("{\"v\":1,\"type\":\"smoke_detector\",\"ts\":" + System.currentTimeMillis() + ",\"seq\":" + seq
                + ",\"data\":{\"smoke_obscuration_pct_m\":0.4,\"temp_c\":23.5,\"alarm\":false,\"tamper\":false,"
                + "\"battery_pct\":88,\"rssi_dbm\":-88}}").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (MqttAsyncClient c : clients) {
            try {
                c.disconnect(2000).waitForCompletion(3000);
                c.close();
            } catch (MqttException e) {
                // Closing anyway.
            }
        }
        if (coap != null) {
            coap.close();
        }
    }
}
