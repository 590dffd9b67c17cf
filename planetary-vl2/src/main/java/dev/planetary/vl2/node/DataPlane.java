package dev.planetary.vl2.node;

import dev.planetary.identity.Address;
import dev.planetary.identity.Decoded;
import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.LinkConfigurator;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.SourceCheck;
import dev.planetary.nic.VirtualNic;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.ExtFrame;
import dev.planetary.vl2.Frame;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.Route;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's VL2 data plane (VL.md §9.2–§9.4): one {@link NetworkPort} per joined network, FRAME and
 * EXT_FRAME from VL1 decoded and handed to the port of their network, and each port's outbound frames
 * encoded and given to a {@link Sender} (the node's {@code sendUpper}). Sans-IO: the caller's
 * {@link Sender} moves messages onto the node's thread; NICs call in from their own reader threads.
 * Messages are hostile: a message that cannot be used is dropped and counted ({@link Drop}), never thrown.
 */
public final class DataPlane implements AutoCloseable {
    /** Networks at once (the member table's bound). */
    public static final int MAX_NETWORKS = 64;

    /** Sends one upper-layer message ({@code verb ‖ body}) for network {@code nwid} to a member; thread-safe (hops to the node's thread). */
    @FunctionalInterface
    public interface Sender {
        void send(NetworkId nwid, Address peer, byte[] message);
    }

    /**
     * The member side's gate (§8.2, §8.3): what it knows of session peer {@code peer}, bound to
     * {@code address}, on network {@code nwid} — called on the node's thread for every FRAME / EXT_FRAME.
     */
    @FunctionalInterface
    public interface Gate {
        NetworkPort.Peer peer(NetworkId nwid, Fingerprint peer, Address address);
    }

    /** Why a VL1 message did not reach a port. */
    public enum Drop {
        /** FRAME / EXT_FRAME that does not decode (§9.2; EXT_FRAME flags set included). */
        MALFORMED,
        /** For a network this node has no port for (§9.4 step 1). */
        UNKNOWN_NETWORK,
        /** From a session peer whose address is not bound yet (§2.6). */
        UNBOUND_PEER
    }

    private final Sender sender;
    private final Gate gate;
    private final Map<NetworkId, NetworkPort> ports = new ConcurrentHashMap<>();
    private final Map<Drop, AtomicLong> drops = new EnumMap<>(Drop.class);

    public DataPlane(Sender sender, Gate gate) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.gate = Objects.requireNonNull(gate, "gate");
        for (Drop d : Drop.values()) {
            drops.put(d, new AtomicLong());
        }
    }

    /**
     * Opens the port of {@code config}'s network on {@code nic} (already configured, e.g. by
     * {@link PortConfig#applyTo}) and starts reading the NIC; a port already open for the network is
     * closed first (reconfiguration).
     */
    public NetworkPort open(PortConfig config, VirtualNic nic, NetworkPort.Membership membership) {
        return open(config, uplink -> new NetworkPort(config, nic, uplink, membership));
    }

    /** As {@link #open(PortConfig, VirtualNic, NetworkPort.Membership)}, frames passing {@code rules} both ways (§11.4, e.g. a {@link PortRules}). */
    public NetworkPort open(PortConfig config, VirtualNic nic, NetworkPort.Membership membership, NetworkPort.Filter rules) {
        return open(config, uplink -> new NetworkPort(config, nic, uplink, membership, rules));
    }

    /** As {@link #open(PortConfig, VirtualNic, NetworkPort.Membership)}, multicast and broadcast going to {@code multicast} (§10.4). */
    public NetworkPort open(PortConfig config, VirtualNic nic, NetworkPort.Multicast multicast) {
        return open(config, uplink -> new NetworkPort(config, nic, uplink, multicast));
    }

    /** The §10 multicast engine and the network's rules (§11.4) together: how a member's port is opened. */
    public NetworkPort open(PortConfig config, VirtualNic nic, NetworkPort.Multicast multicast, NetworkPort.Filter rules) {
        return open(config, uplink -> new NetworkPort(config, nic, uplink, multicast, rules));
    }

    private NetworkPort open(PortConfig config, java.util.function.Function<NetworkPort.Uplink, NetworkPort> make) {
        NetworkId nwid = config.nwid();
        if (!ports.containsKey(nwid) && ports.size() >= MAX_NETWORKS) {
            throw new IllegalStateException("a node joins at most " + MAX_NETWORKS + " networks");
        }
        NetworkPort port = make.apply(uplink(nwid));
        NetworkPort old = ports.put(nwid, port);
        if (old != null) {
            old.close();
        }
        port.start();
        return port;
    }

    /** Closes the port of {@code nwid} (leave), with its NIC. */
    public void close(NetworkId nwid) {
        NetworkPort p = ports.remove(nwid);
        if (p != null) {
            p.close();
        }
    }

    public Optional<NetworkPort> port(NetworkId nwid) {
        return Optional.ofNullable(ports.get(nwid));
    }

    public Collection<NetworkPort> ports() {
        return List.copyOf(ports.values());
    }

    /**
     * A message from session peer {@code peer}, bound to {@code address} (null while unbound): FRAME and
     * EXT_FRAME go to their network's port with what the {@link Gate} says of the peer; returns false for
     * every other verb (not the data plane's).
     */
    public boolean received(Fingerprint peer, Address address, byte[] message) {
        if (message.length == 0 || (message[0] & 0xff) != Verb.FRAME && (message[0] & 0xff) != Verb.EXT_FRAME) {
            return false;
        }
        if (address == null) {
            count(Drop.UNBOUND_PEER);
            return true;
        }
        if ((message[0] & 0xff) == Verb.FRAME) {
            if (Frame.decode(message) instanceof Decoded.Ok<Frame>(Frame f)) {
                NetworkPort p = portOf(f.networkId());
                if (p != null) {
                    p.inboundFrame(gate.peer(f.networkId(), peer, address), f.etherType(), ByteBuffer.wrap(f.payload().toArray()));
                }
            } else {
                count(Drop.MALFORMED);
            }
        } else if (ExtFrame.decode(message) instanceof Decoded.Ok<ExtFrame>(ExtFrame f)) {
            NetworkPort p = portOf(f.networkId());
            if (p != null) {
                p.inboundExtFrame(gate.peer(f.networkId(), peer, address), 0, f.destination(), f.source(), f.etherType(), ByteBuffer.wrap(f.payload().toArray()));
            }
        } else {
            count(Drop.MALFORMED);
        }
        return true;
    }

    /** Registers this plane as the handler of FRAME and EXT_FRAME on the node's VL2 layer. */
    public void register(Vl2Layer layer) {
        layer.handle(Verb.FRAME, this::received);
        layer.handle(Verb.EXT_FRAME, this::received);
    }

    public long drops(Drop reason) {
        return drops.get(reason).get();
    }

    /** Closes every port (and NIC). */
    @Override
    public void close() {
        for (NetworkId n : List.copyOf(ports.keySet())) {
            close(n);
        }
    }

    private NetworkPort portOf(NetworkId nwid) {
        NetworkPort p = ports.get(nwid);
        if (p == null) {
            count(Drop.UNKNOWN_NETWORK);
        }
        return p;
    }

    private NetworkPort.Uplink uplink(NetworkId nwid) {
        return new NetworkPort.Uplink() {
            @Override
            public void frame(long peer, int ethertype, ByteBuffer payload) {
                sender.send(nwid, new Address(peer), new Frame(nwid, ethertype, bytes(payload)).encode());
            }

            @Override
            public void extFrame(long peer, MacAddress dst, MacAddress src, int ethertype, ByteBuffer payload) {
                sender.send(nwid, new Address(peer), new ExtFrame(nwid, dst, src, ethertype, bytes(payload)).encode());
            }
        };
    }

    private static Bytes bytes(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return Bytes.of(a);
    }

    private void count(Drop d) {
        drops.get(d).incrementAndGet();
    }

    // ---------------------------------------------------------------- from the signed objects

    /**
     * The port configuration a NetworkConfig (§7.4) and the own current Member Credential (§8.1: the
     * config's copy, or a newer one from a refresh, §7.6) imply, under the local route policy (§12.4).
     */
    public static PortConfig portConfig(NetworkConfig config, MemberCredential own, Address self, PortConfig.RoutePolicy policy) {
        List<LinkConfigurator.Route> routes = new ArrayList<>();
        for (Route r : config.routes()) {
            routes.add(new LinkConfigurator.Route(r.target(), r.prefix(), r.via().orElse(null), r.metric()));
        }
        return new PortConfig(config.networkId(), self.value(), config.mtu(), config.flags(), config.effectiveMulticastLimit(),
                own.addresses().stream().map(AssignedAddress::ip).toList(), routes, own.isBridge(), policy);
    }

    /** A gate answer for {@code address}: passes or not, with its MC's bridge flag and addresses if one is held. */
    public static NetworkPort.Peer peer(Address address, boolean allowed, Optional<MemberCredential> mc) {
        return peer(address, allowed, mc, null);
    }

    /** As {@link #peer(Address, boolean, Optional)}, with the sender's rules input (§11.4; null: its tags take the defaults). */
    public static NetworkPort.Peer peer(Address address, boolean allowed, Optional<MemberCredential> mc, dev.planetary.vl2.rules.Subject rules) {
        return new NetworkPort.Peer(address.value(), allowed, mc.map(MemberCredential::isBridge).orElse(false),
                mc.map(DataPlane::owned).orElse(List.of()), rules);
    }

    /** The addresses a member's MC makes its own, for anti-spoofing (§9.5). */
    public static List<SourceCheck.Owned> owned(MemberCredential mc) {
        return mc.addresses().stream().map(a -> new SourceCheck.Owned(a.ip(), a.prefixOwned())).toList();
    }
}
