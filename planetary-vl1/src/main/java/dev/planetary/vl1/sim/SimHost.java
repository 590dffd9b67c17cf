package dev.planetary.vl1.sim;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * One simulated machine: an IP address (public, or private behind a {@link SimNat}), bound UDP ports,
 * its own seeded random stream, and at most one {@link SimEngine}. Engines send through
 * {@link #send} and ask for an earlier {@link SimEngine#service} call with {@link #wake}.
 */
public final class SimHost implements SimSite {
    private final Simulator sim;
    private final String name;
    private final InetAddress ip;
    final SimNat nat;
    private final SplittableRandom random;
    final TreeSet<Integer> ports = new TreeSet<>();
    SimEngine engine;
    /** The pending service deadline (Long.MAX_VALUE: none). */
    long serviceAt = Long.MAX_VALUE;

    SimHost(Simulator sim, String name, InetAddress ip, SimNat nat, long seed) {
        this.sim = sim;
        this.name = name;
        this.ip = ip;
        this.nat = nat;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public String name() {
        return name;
    }

    public InetAddress ip() {
        return ip;
    }

    /** The NAT this host sits behind, or {@code null} for a public host. */
    public SimNat nat() {
        return nat;
    }

    /** The site links and partitions apply to: the host itself, or its NAT. */
    public SimSite site() {
        return nat == null ? this : nat;
    }

    /** This host's own random stream (derived from the simulator's seed): engines draw from it for determinism. */
    public SplittableRandom random() {
        return random;
    }

    /** Binds a UDP port and returns the local socket address. */
    public InetSocketAddress bind(int port) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        if (!ports.add(port)) throw new IllegalArgumentException(name + " already bound port " + port);
        return new InetSocketAddress(ip, port);
    }

    /** Attaches the engine that receives this host's datagrams and schedules its first service call now. */
    public void attach(SimEngine e) {
        if (engine != null) throw new IllegalStateException(name + " already has an engine");
        this.engine = e;
        wake(sim.now());
    }

    public SimEngine engine() {
        return engine;
    }

    /** Sends a datagram from local port {@code fromPort} (must be bound) to {@code to}. */
    public void send(int fromPort, InetSocketAddress to, byte[] datagram) {
        if (!ports.contains(fromPort)) throw new IllegalArgumentException(name + " has not bound port " + fromPort);
        sim.transmit(this, new InetSocketAddress(ip, fromPort), to, datagram.clone());
    }

    /** Asks for a {@link SimEngine#service} call at {@code at} (or now if earlier); later requests never delay an earlier one. */
    public void wake(long at) {
        sim.scheduleService(this, Math.max(at, sim.now()));
    }

    /** The simulator's virtual time, ms. */
    public long now() {
        return sim.now();
    }

    @Override
    public String toString() {
        return name + "(" + ip.getHostAddress() + (nat != null ? " behind " + nat.name() : "") + ")";
    }
}
