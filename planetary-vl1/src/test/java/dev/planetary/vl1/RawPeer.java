package dev.planetary.vl1;

import dev.planetary.vl1.sim.SimEngine;
import dev.planetary.vl1.sim.SimHost;
import dev.planetary.zssp.AcceptDecision;
import dev.planetary.zssp.Application;
import dev.planetary.zssp.Context;
import dev.planetary.zssp.Event;
import dev.planetary.zssp.Received;
import dev.planetary.zssp.Remote;
import dev.planetary.zssp.Session;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import dev.planetary.zssp.internal.EngineAccess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A hostile peer on the simulated network: a bare ZSSP context that opens a session to a node with
 * whatever identity blob it likes and then sends arbitrary bytes as VL1 messages.
 */
final class RawPeer implements SimEngine, Application.WithoutRatchetStorage<String> {
    final SimHost host;
    final InetSocketAddress local;
    final Context<String> ctx;
    Session<String> session;
    boolean established;
    boolean rejected;
    final List<byte[]> received = new ArrayList<>();
    long now;

    RawPeer(SimHost host, StaticKeyPair keys) {
        this.host = host;
        this.local = host.bind(9993);
        this.ctx = EngineAccess.seededContext(keys, this, Settings.defaults(), new SeededRandom(host.random().nextLong()), host.random().nextLong());
        host.attach(this);
    }

    Remote remote(InetSocketAddress to) {
        return new Remote() {
            @Override
            public void send(byte[] d, int off, int len) {
                host.send(local.getPort(), to, Arrays.copyOfRange(d, off, off + len));
            }

            @Override
            public byte[] addressBytes() {
                return to.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
        };
    }

    void open(StaticPublicKey peer, byte[] blob, InetSocketAddress to) {
        now = host.now();
        try {
            session = ctx.open(peer, "target", blob, remote(to));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        established = false;
        rejected = false;
        host.wake(now);
    }

    void send(byte[] payload) {
        now = host.now();
        session.send(payload);
    }

    @Override
    public void receive(byte[] datagram, InetSocketAddress localSocket, InetSocketAddress from, long now) {
        this.now = now;
        Received<String> r = ctx.receive(datagram, remote(from));
        switch (r) {
            case Event.Established<String> e -> established = e.session() == session;
            case Event.Rejected<String> e -> rejected = true;
            case Event.Data<String> e -> received.add(e.payload());
            default -> { }
        }
        host.wake(now + 1);
    }

    @Override
    public long service(long now) {
        this.now = now;
        return now + ctx.service();
    }

    @Override
    public long time() {
        return now;
    }

    @Override
    public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
        return AcceptDecision.reject(true);
    }
}
