package dev.planetary.vl1;

import dev.planetary.identity.Address;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.sim.SimEngine;
import dev.planetary.vl1.sim.SimHost;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A {@link Node} as a simulator engine: one bound port, outputs to the host, events recorded. */
final class SimNode implements SimEngine, NodeOutput {
    /** One verifier for every simulated node of the JVM: identities are verified once (§2.6), not once per seed. */
    static final dev.planetary.identity.IdentityVerifier VERIFIER = new dev.planetary.identity.IdentityVerifier();
    final String name;
    final SimHost host;
    final InetSocketAddress local;
    final Node node;
    final List<NodeEvent> events = new ArrayList<>();
    /** The last datagrams received with their sources (fuzzing replays mutated copies). */
    final java.util.ArrayDeque<Object[]> recent = new java.util.ArrayDeque<>();
    /** Tests: rewrites the source of each received datagram (an on-path attacker, a NAT rebinding per packet). */
    java.util.function.UnaryOperator<InetSocketAddress> sourceRewrite = from -> from;
    /** Tests: datagrams sent per destination (bounded by the test's own traffic). */
    final java.util.Map<InetSocketAddress, Integer> sentTo = new java.util.HashMap<>();

    SimNode(String name, SimHost host, int port, SecretIdentity id, Function<InetSocketAddress, NodeConfig> config) {
        this(name, host, port, id, config, VERIFIER);
    }

    SimNode(String name, SimHost host, int port, SecretIdentity id, Function<InetSocketAddress, NodeConfig> config, dev.planetary.identity.IdentityVerifier verifier) {
        this(name, host, port, id, config, verifier, dev.planetary.zssp.RatchetStore.none());
    }

    SimNode(String name, SimHost host, int port, SecretIdentity id, Function<InetSocketAddress, NodeConfig> config, dev.planetary.identity.IdentityVerifier verifier,
            dev.planetary.zssp.RatchetStore ratchets) {
        this.name = name;
        this.host = host;
        this.local = host.bind(port);
        this.node = new Node(config.apply(local), id, this, new SeededRandom(host.random().nextLong()), host.now(), verifier, ratchets, host.random().nextLong());
        host.attach(this);
    }

    /** Stops the node as a crash would: it neither receives nor runs timers any more. */
    void stop() {
        stopped = true;
        node.close();
    }

    private boolean stopped;

    /** The root's entry for members' root lists. */
    RootInfo rootInfo(SecretIdentity id) {
        return new RootInfo(id.identity(), id.address(), List.of(local));
    }

    @Override
    public void transmit(InetSocketAddress localSocket, InetSocketAddress to, byte[] datagram) {
        sentTo.merge(to, 1, Integer::sum);
        host.send(localSocket.getPort(), to, datagram);
    }

    @Override
    public void event(NodeEvent e) {
        if (events.size() >= 10_000) events.removeFirst(); // long fuzz runs
        events.add(e);
    }

    @Override
    public void receive(byte[] datagram, InetSocketAddress localSocket, InetSocketAddress from, long now) {
        if (stopped) return;
        if (recent.size() >= 64) recent.removeFirst();
        recent.addLast(new Object[] {datagram.clone(), from});
        node.receive(datagram, localSocket, sourceRewrite.apply(from), now);
        host.wake(node.nextDeadline());
    }

    @Override
    public long service(long now) {
        if (stopped) return Long.MAX_VALUE;
        return node.service(now);
    }

    /** Application calls between simulator steps: bring the node's clock up first, then wake it. */
    void userMessage(Address to, String text) {
        node.service(host.now());
        node.sendUserMessage(to, 70_000, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        host.wake(node.nextDeadline());
    }

    void run(Runnable r) {
        node.service(host.now());
        r.run();
        host.wake(node.nextDeadline());
    }

    List<String> texts() {
        List<String> l = new ArrayList<>();
        for (NodeEvent e : events) {
            if (e instanceof NodeEvent.UserMessageReceived u) l.add(new String(u.payload(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return l;
    }

    <T extends NodeEvent> List<T> events(Class<T> type) {
        List<T> l = new ArrayList<>();
        for (NodeEvent e : events) if (type.isInstance(e)) l.add(type.cast(e));
        return l;
    }

    @Override
    public String toString() {
        return name;
    }
}
