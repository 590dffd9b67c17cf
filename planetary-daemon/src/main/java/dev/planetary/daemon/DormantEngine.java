package dev.planetary.daemon;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * An engine that answers nothing: every datagram is dropped and counted as {@code no_engine}. It
 * lets the daemon, its API and its metrics run where no VL1 engine is linked (and in tests of the
 * driver); a node driven by it never comes online.
 */
final class DormantEngine implements Vl1Engine {
    private long dropped;

    DormantEngine(EngineContext context) {}

    @Override
    public void receive(byte[] datagram, InetSocketAddress local, InetSocketAddress from, long nowMs) {
        dropped++;
    }

    @Override
    public long service(long nowMs) {
        return nowMs + 1000;
    }

    @Override
    public String sendUserMessage(String address, long typeId, byte[] payload, long nowMs) {
        return "no VL1 engine";
    }

    @Override
    public Snapshot snapshot(long nowMs) {
        return new Snapshot(false, List.of(), Map.of("no_engine", dropped), List.of());
    }
}
