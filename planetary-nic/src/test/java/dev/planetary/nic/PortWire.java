package dev.planetary.nic;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory "VL1" for {@link NetworkPort}s: each FRAME / EXT_FRAME is logged, copied and handed to
 * the destination port on a thread of its own (as the node loop would); the membership every port
 * sees is one shared table (who passes the gate, the assignments each MC carries).
 */
final class PortWire implements AutoCloseable {
    /** One message on the wire: FRAME when {@code dst} is null. */
    record Sent(long from, long to, MacAddress dst, MacAddress src, int ethertype, byte[] payload) {
    }

    final Map<Long, NetworkPort> ports = new ConcurrentHashMap<>();
    final List<Sent> log = new CopyOnWriteArrayList<>();
    final Set<Long> members = ConcurrentHashMap.newKeySet();
    final Map<Long, List<SourceCheck.Owned>> owned = new ConcurrentHashMap<>();
    /** Members whose MC has the bridge flag (§9.6). */
    final Set<Long> bridges = ConcurrentHashMap.newKeySet();
    private final ExecutorService wire = Executors.newSingleThreadExecutor();

    final NetworkPort.Membership membership = () -> List.copyOf(members);

    /** What the member side would say of {@code address}: a member with its MC's assignments, or denied. */
    NetworkPort.Peer peer(long address) {
        return members.contains(address) ? new NetworkPort.Peer(address, true, bridges.contains(address), owned.getOrDefault(address, List.of()))
                : NetworkPort.Peer.denied(address);
    }

    NetworkPort.Uplink uplink(long self) {
        return new NetworkPort.Uplink() {
            @Override
            public void frame(long peer, int ethertype, ByteBuffer payload) {
                carry(new Sent(self, peer, null, null, ethertype, copy(payload)));
            }

            @Override
            public void extFrame(long peer, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
                carry(new Sent(self, peer, dst, src, ethertype, copy(payload)));
            }
        };
    }

    /** A started port for {@code cfg} on {@code nic}; the member passes every gate with its config's assignments. */
    NetworkPort join(PortConfig cfg, VirtualNic nic) {
        NetworkPort p = new NetworkPort(cfg, nic, uplink(cfg.ownAddress()), membership);
        members.add(cfg.ownAddress());
        owned.put(cfg.ownAddress(), cfg.assignments().stream().map(a -> new SourceCheck.Owned(a, false)).toList());
        ports.put(cfg.ownAddress(), p);
        p.start();
        return p;
    }

    /** {@code c} with the MC's bridge flag set to {@code bridge} (§8.1 flags bit0, §9.6). */
    static PortConfig bridge(PortConfig c, boolean bridge) {
        return new PortConfig(c.nwid(), c.ownAddress(), c.mtu(), c.flags(), c.multicastLimit(), c.assignments(), c.routes(), bridge, c.policy());
    }

    /** Waits until every message handed over so far was delivered. */
    void drain() throws Exception {
        wire.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    private void carry(Sent s) {
        log.add(s);
        NetworkPort to = ports.get(s.to());
        if (to != null) {
            wire.execute(() -> {
                if (s.dst() == null) {
                    to.inboundFrame(peer(s.from()), s.ethertype(), ByteBuffer.wrap(s.payload()));
                } else {
                    to.inboundExtFrame(peer(s.from()), 0, s.dst(), s.src(), s.ethertype(), ByteBuffer.wrap(s.payload()));
                }
            });
        }
    }

    static byte[] copy(ByteBuffer b) {
        byte[] c = new byte[b.remaining()];
        b.duplicate().get(c);
        return c;
    }

    @Override
    public void close() {
        wire.shutdownNow();
        ports.values().forEach(NetworkPort::close);
    }
}
