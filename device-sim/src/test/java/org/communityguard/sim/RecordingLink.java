package org.communityguard.sim;

import org.communityguard.sim.device.Message;
import org.communityguard.sim.link.DeviceLink;
import org.communityguard.sim.link.Downlink;
import org.communityguard.sim.link.Outcome;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** An in-memory link for tests of the simulation logic: keeps what was sent, answers as told. */
final class RecordingLink implements DeviceLink {

    private final List<Message> sent = new ArrayList<>();
    volatile Function<Message, Outcome> answer = message -> Outcome.acknowledged();
    volatile Downlink downlink;
    volatile boolean open;
    /** Whether the network would let the device join; a test can keep it out. */
    volatile boolean reachable = true;
    volatile int drops;

    @Override
    public void open(Downlink downlink) {
        this.downlink = downlink;
        open = true;
    }

    @Override
    public boolean isConnected() {
        return open && reachable;
    }

    @Override
    public CompletableFuture<Outcome> send(Message message) {
        synchronized (sent) {
            sent.add(message);
        }
        return CompletableFuture.completedFuture(answer.apply(message));
    }

    @Override
    public void dropOff() {
        open = false;
        drops++;
    }

    @Override
    public void close() {
        open = false;
    }

    List<Message> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    /** The gateway sends a command payload down to the device, as JSON. */
    void command(String json) {
        downlink.commands(json.getBytes(StandardCharsets.UTF_8), false);
    }
}
