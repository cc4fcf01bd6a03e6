package org.communityguard.sim.link;

import org.communityguard.sim.device.Message;
import org.eclipse.californium.core.CoapHandler;
import org.eclipse.californium.core.CoapObserveRelation;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A battery device's CoAP traffic through the shared {@link CoapGateway}: confirmable POSTs to
 * {@code /telemetry/{id}} and {@code /events/{id}}, commands by observing {@code /commands/{id}}
 * (polled instead when the gateway does not support Observe or the observation fails).
 *
 * <p>Answers: 2.xx acknowledges; 5.03 means "busy, retry after Max-Age" and the same message (same
 * seq, same bytes) is sent again, up to {@link #MAX_ATTEMPTS} times; 4.xx is a rejection; anything
 * else, or no answer at all, is a failure.
 */
public final class CoapDeviceLink implements DeviceLink {

    private static final Logger log = LoggerFactory.getLogger(CoapDeviceLink.class);

    static final int MAX_ATTEMPTS = 5;
    private static final long MIN_RETRY_S = 1;
    private static final long MAX_RETRY_S = 300;

    private final CoapGateway gateway;
    private final String deviceId;
    private final boolean cbor;
    private final ScheduledExecutorService scheduler;
    private final Duration commandPoll;
    private final Duration ackTimeout;
    private final URI telemetryUri;
    private final URI eventUri;
    private final URI commandUri;
    private volatile Downlink downlink;
    private volatile boolean listening;
    private volatile boolean closed;
    private CoapObserveRelation relation;
    private ScheduledFuture<?> poller;

    /**
     * @param cbor        send CBOR (Content-Format 60) rather than JSON (50)
     * @param commandPoll how often to poll {@code /commands/{id}} when Observe is not available
     * @param ackTimeout  how long a message may wait for an answer (5.03 retries included)
     */
    public CoapDeviceLink(CoapGateway gateway, String deviceId, boolean cbor, ScheduledExecutorService scheduler,
                          Duration commandPoll, Duration ackTimeout) {
        this.gateway = gateway;
        this.deviceId = deviceId;
        this.cbor = cbor;
        this.scheduler = scheduler;
        this.commandPoll = commandPoll;
        this.ackTimeout = ackTimeout;
        this.telemetryUri = gateway.uri("telemetry", deviceId);
        this.eventUri = gateway.uri("events", deviceId);
        this.commandUri = gateway.uri("commands", deviceId);
    }

    @Override
    public synchronized void open(Downlink downlink) {
        this.downlink = downlink;
        if (listening || closed) {
            return;
        }
        listening = true;
        relation = gateway.observe(commandUri, new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                if (!listening) {
                    return;
                }
                deliver(response);
                if (!response.getOptions().hasObserve()) {
                    log.debug("{}: gateway answered /commands without Observe; polling", deviceId);
                    startPolling();
                }
            }

            @Override
            public void onError() {
                if (listening) {
                    log.debug("{}: observing /commands failed; polling", deviceId);
                    startPolling();
                }
            }
        });
    }

    @Override
    public boolean isConnected() {
        return true;
    }

    @Override
    public CompletableFuture<Outcome> send(Message message) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        byte[] body = cbor ? Payloads.cbor(message) : Payloads.json(message);
        int format = cbor ? Payloads.CONTENT_FORMAT_CBOR : Payloads.CONTENT_FORMAT_JSON;
        URI uri = message.kind() == Message.Kind.TELEMETRY ? telemetryUri : eventUri;
        attempt(uri, body, format, 1, outcome);
        return outcome.completeOnTimeout(Outcome.failed("no answer within " + ackTimeout.toSeconds() + " s"),
                ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void attempt(URI uri, byte[] body, int format, int attempt, CompletableFuture<Outcome> outcome) {
        if (outcome.isDone()) {
            return;
        }
        if (closed) {
            outcome.complete(Outcome.failed("closed"));
            return;
        }
        gateway.post(uri, body, format, new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                ResponseCode code = response.getCode();
                if (code.isSuccess()) {
                    outcome.complete(Outcome.acknowledged());
                } else if (code == ResponseCode.SERVICE_UNAVAILABLE && attempt < MAX_ATTEMPTS) {
                    long retryS = retryAfter(response);
                    log.debug("{}: gateway busy (5.03), retrying in {} s", deviceId, retryS);
                    scheduler.schedule(() -> attempt(uri, body, format, attempt + 1, outcome), retryS, TimeUnit.SECONDS);
                } else if (code.isClientError()) {
                    outcome.complete(Outcome.rejected(code.text, Payloads.abbreviate(response.getResponseText())));
                } else {
                    outcome.complete(Outcome.failed(code.text + " " + Payloads.abbreviate(response.getResponseText())));
                }
            }

            @Override
            public void onError() {
                outcome.complete(Outcome.failed("no answer from " + uri));
            }
        });
    }

    /** Max-Age says when to retry; CoAP's default is 60 s. Bounded so a weird answer cannot stall or spin. */
    private static long retryAfter(CoapResponse response) {
        Long maxAge = response.getOptions().getMaxAge();
        long seconds = maxAge == null ? 60 : maxAge;
        return Math.max(MIN_RETRY_S, Math.min(MAX_RETRY_S, seconds));
    }

    private void deliver(CoapResponse response) {
        Downlink target = downlink;
        if (target == null) {
            return;
        }
        if (response.getCode() != ResponseCode.CONTENT) {
            log.debug("{}: /commands answered {}", deviceId, response.getCode().text);
            return;
        }
        byte[] payload = response.getPayload();
        if (payload != null && payload.length > 0) {
            target.commands(payload, response.getOptions().getContentFormat() == Payloads.CONTENT_FORMAT_CBOR);
        }
    }

    private synchronized void startPolling() {
        if (poller != null || !listening) {
            return;
        }
        long ms = commandPoll.toMillis();
        poller = scheduler.scheduleWithFixedDelay(() -> gateway.get(commandUri, new CoapHandler() {
            @Override
            public void onLoad(CoapResponse response) {
                if (listening) {
                    deliver(response);
                }
            }

            @Override
            public void onError() {
                log.debug("{}: polling /commands got no answer", deviceId);
            }
        }), ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void dropOff() {
        listening = false;
        if (relation != null) {
            // Forget the observation without telling the gateway: a dead device says nothing.
            relation.reactiveCancel();
            relation = null;
        }
        if (poller != null) {
            poller.cancel(false);
            poller = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        dropOff();
    }
}
