package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.crypto.Bytes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Context#receiveOrDefer}, the receive plane's one engine call per datagram: it must behave
 * exactly like {@link Context#receive} (the same datagrams on the wire, the same results), consume
 * only DATA and cheap drops, and hand every other datagram back with its bytes unchanged.
 */
class ReceiveOrDeferTest {

    /** Two nodes with an established session from a to b, the wire tapped (nothing delivered unless a test does). */
    private record Pair(SimNetwork.Node a, SimNetwork.Node b, Deque<SimNetwork.Datagram> wire, Session<String> session, Remote fromA) {
        static Pair established(long seed) {
            SimNetwork net = new SimNetwork(seed);
            SimNetwork.Node a = net.node("a", Settings.defaults());
            SimNetwork.Node b = net.node("b", Settings.defaults());
            net.connect(a, b, 1432);
            Deque<SimNetwork.Datagram> wire = new ArrayDeque<>();
            net.tap = wire::add;
            Session<String> s = a.open(b);
            while (!wire.isEmpty()) net.deliver(wire.poll());
            assertTrue(s.isEstablished());
            return new Pair(a, b, wire, s, b.linkTo(a));
        }

        /** The next DATA datagram a sends with {@code payload}. */
        byte[] data(byte... payload) {
            session.send(payload);
            return wire.poll().bytes();
        }
    }

    /** What one run saw: every datagram on the wire and every result, in order. */
    private static final class Run {
        final List<String> log = new ArrayList<>();
        int consumedData;
        int deferred;
        int rekeys;
    }

    /**
     * A scripted conversation (handshake, small and fragmented DATA both ways, a rekey, more DATA;
     * after the handshake a copy of every datagram with its key id or protected header corrupted is
     * delivered before it), run twice from the same seeds:
     * once through {@link Context#receive} alone, once through {@link Context#receiveOrDefer} with
     * each deferred datagram then passed to {@code receive}. Both runs must be byte-identical.
     */
    @Test
    void sameWireAndResultsAsReceive() {
        Run plain = conversation(false);
        Run planes = conversation(true);
        assertEquals(plain.log, planes.log);
        assertEquals(0, plain.consumedData);
        assertTrue(planes.consumedData >= 6, "DATA consumed on the receive plane: " + planes.consumedData);
        assertTrue(planes.deferred >= 6, "handshake and rekey steps deferred: " + planes.deferred);
        assertEquals(2, planes.rekeys, "the rekey completed on both sides");
    }

    private static Run conversation(boolean triage) {
        Run run = new Run();
        SimNetwork net = new SimNetwork(21);
        SimNetwork.Node a = net.node("a", Settings.defaults());
        SimNetwork.Node b = net.node("b", Settings.defaults());
        net.connect(a, b, 600); // 2,000-byte payloads take four fragments
        Deque<SimNetwork.Datagram> wire = new ArrayDeque<>();
        net.tap = wire::add;
        Session<String> sa = a.open(b);
        drain(wire, triage, run, null);
        assertTrue(sa.isEstablished());
        Session<String> sb = b.ctx.sessions().iterator().next();
        SplittableRandom corrupt = new SplittableRandom(5);
        byte[] big = new byte[2_000];
        new SplittableRandom(8).nextBytes(big);
        for (int i = 0; i < 3; i++) {
            sa.send(new byte[] {(byte) i, 1, 2});
            sb.send(big);
        }
        drain(wire, triage, run, corrupt);
        sa.wantRekey();
        a.service();
        drain(wire, triage, run, corrupt);
        sa.send(big);
        sb.send(new byte[] {9});
        drain(wire, triage, run, corrupt);
        return run;
    }

    private static void drain(Deque<SimNetwork.Datagram> wire, boolean triage, Run run, SplittableRandom corrupt) {
        while (!wire.isEmpty()) {
            SimNetwork.Datagram d = wire.poll();
            run.log.add(d.from().name + ">" + d.to().name + " " + HexFormat.of().formatHex(d.bytes()));
            if (corrupt != null) { // the key id or the protected header (§10.3): never a reassembly conflict with the real one
                byte[] forged = d.bytes().clone();
                forged[corrupt.nextInt(20)] ^= (byte) (1 + corrupt.nextInt(255));
                run.log.add("forged: " + describe(deliver(d, forged, triage, run)));
            }
            Received<String> r = deliver(d, d.bytes().clone(), triage, run);
            if (r instanceof Event.RekeyCompleted<String>) run.rekeys++;
            run.log.add(describe(r));
        }
    }

    private static Received<String> deliver(SimNetwork.Datagram d, byte[] bytes, boolean triage, Run run) {
        Context<String> ctx = d.to().ctx;
        Remote from = d.to().linkTo(d.from());
        if (!triage) return ctx.receive(bytes, from);
        byte[] before = bytes.clone();
        Triage<String> t = ctx.receiveOrDefer(bytes, 0, bytes.length, from, kid -> false);
        return switch (t) {
            case Received<String> r -> {
                if (r instanceof Event.Data<String>) run.consumedData++;
                yield r;
            }
            case Triage.Deferred<String> def -> {
                run.deferred++;
                assertArrayEquals(before, bytes, "a deferred datagram is unchanged");
                assertEquals(Bytes.getInt(before, 0), def.keyId());
                assertNotEquals(Context.Route.UNKNOWN, def.route());
                yield ctx.receive(bytes, from);
            }
        };
    }

    private static String describe(Received<String> r) {
        return switch (r) {
            case Event.Data<String> data -> "Data " + data.payloadHex();
            case Event<String> e -> e.getClass().getSimpleName();
            case Received.Dropped<String> dr -> "Dropped " + dr.fault();
            case Received.Pending p -> "Pending";
        };
    }

    @Test
    void deferredDataIsUnchangedAndReceivedLater() {
        Pair p = Pair.established(22);
        Context<String> b = p.b().ctx;
        byte[] data = p.data((byte) 7, (byte) 7);
        byte[] before = data.clone();
        int kid = Bytes.getInt(data, 0);
        List<Integer> asked = new ArrayList<>();
        Triage<String> t = b.receiveOrDefer(data, 0, data.length, p.fromA(), k -> asked.add(k));
        assertEquals(new Triage.Deferred<String>(Context.Route.DATA, kid), t);
        assertEquals(List.of(kid), asked, "asked once, with the datagram's key id");
        assertArrayEquals(before, data);
        Event.Data<?> got = assertInstanceOf(Event.Data.class, b.receive(data, p.fromA()));
        assertArrayEquals(new byte[] {7, 7}, got.payload());

        // the same DATA again, not deferred: consumed, and a replay now
        Received.Dropped<?> replay = assertInstanceOf(Received.Dropped.class, b.receiveOrDefer(before.clone(), 0, before.length, p.fromA(), k -> false));
        assertEquals(Fault.EXPIRED_COUNTER, replay.fault());
        // DATA at an offset inside a larger buffer
        byte[] next = p.data((byte) 8);
        byte[] framed = new byte[next.length + 10];
        System.arraycopy(next, 0, framed, 5, next.length);
        Event.Data<?> inFrame = assertInstanceOf(Event.Data.class, b.receiveOrDefer(framed, 5, next.length, p.fromA(), k -> false));
        assertArrayEquals(new byte[] {8}, inFrame.payload());
    }

    @Test
    void cheapDropsAreConsumedWithReceivesFaults() {
        SimNetwork net = new SimNetwork(23);
        SimNetwork.Node b = net.node("b", Settings.defaults());
        SimNetwork.Node a = net.node("a", Settings.defaults());
        net.connect(a, b, 1432);
        Remote from = b.linkTo(a);
        byte[] stranger = new byte[64];
        new SplittableRandom(3).nextBytes(stranger);
        stranger[0] |= 1; // a non-zero key id nobody registered
        Received.Dropped<?> unknown = assertInstanceOf(Received.Dropped.class, b.ctx.receiveOrDefer(stranger, 0, 64, from, k -> false));
        assertEquals(Fault.UNKNOWN_LOCAL_KEY_ID, unknown.fault());
        Received.Dropped<?> shortOne = assertInstanceOf(Received.Dropped.class, b.ctx.receiveOrDefer(new byte[31], 0, 31, from, k -> false));
        assertEquals(((Received.Dropped<?>) b.ctx.receive(new byte[31], from)).fault(), shortOne.fault());
        assertEquals(new Triage.Deferred<String>(Context.Route.HANDSHAKE, 0), b.ctx.receiveOrDefer(new byte[64], 0, 64, from, k -> false), "key id 0");

        assertThrows(NullPointerException.class, () -> b.ctx.receiveOrDefer(new byte[64], 0, 64, from, null));
        assertThrows(NullPointerException.class, () -> b.ctx.receiveOrDefer(new byte[64], 0, 64, null, k -> false));
        assertThrows(IndexOutOfBoundsException.class, () -> b.ctx.receiveOrDefer(new byte[64], 40, 32, from, k -> false));
    }

    /** Hostile input under a live key id and at any offset: never an exception, deferred bytes unchanged. */
    @Test
    void hostileDatagramsNeverThrowAndDeferredOnesStayUnchanged() {
        Pair p = Pair.established(24);
        Context<String> b = p.b().ctx;
        byte[] live = p.data((byte) 1);
        Remote from = p.fromA();
        SplittableRandom rnd = new SplittableRandom(99);
        int deferred = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] d = new byte[rnd.nextInt(0, 200)];
            rnd.nextBytes(d);
            int off = d.length == 0 ? 0 : rnd.nextInt(d.length + 1);
            if (d.length - off >= 4 && rnd.nextBoolean()) System.arraycopy(live, 0, d, off, 4);
            byte[] copy = d.clone();
            boolean defer = rnd.nextBoolean();
            if (b.receiveOrDefer(d, off, d.length - off, from, k -> defer) instanceof Triage.Deferred<String>) {
                deferred++;
                assertArrayEquals(copy, d);
            }
        }
        assertTrue(deferred > 1_000, "forgeries under the live key id are deferred: " + deferred);
        assertEquals(0, b.internalErrorCount());
        assertInstanceOf(Event.Data.class, b.receiveOrDefer(live, 0, live.length, from, k -> false), "the session still receives");
    }

    /**
     * {@link Session#receiveArrays}: DATA is decrypted into the lent array (the same bytes as into a new
     * one, the wire unchanged); a packet that fails authentication is not delivered; a lender that gives
     * an array of the wrong length is a bug, dropped as an internal error, never a thrown receive loop.
     */
    @Test
    void dataIsDecryptedIntoLentArrays() {
        Pair p = Pair.established(25);
        Context<String> b = p.b().ctx;
        Session<String> sb = b.sessions().iterator().next();
        List<byte[]> lent = new ArrayList<>();
        sb.receiveArrays(n -> {
            byte[] a = new byte[n];
            java.util.Arrays.fill(a, (byte) 0x55); // a reused array: old bytes the decryption must overwrite
            lent.add(a);
            return a;
        });
        byte[] payload = new byte[300];
        new SplittableRandom(3).nextBytes(payload);
        byte[] data = p.data(payload);
        Event.Data<?> got = assertInstanceOf(Event.Data.class, b.receive(data.clone(), p.fromA()));
        assertEquals(1, lent.size());
        assertTrue(got.payload() == lent.get(0), "decrypted into the lent array");
        assertArrayEquals(payload, got.payload());

        byte[] forged = p.data(payload);
        forged[forged.length - 1] ^= 1; // the tag
        assertInstanceOf(Received.Dropped.class, b.receive(forged, p.fromA()));

        sb.receiveArrays(n -> new byte[n + 1]);
        Received.Dropped<?> wrong = assertInstanceOf(Received.Dropped.class, b.receive(p.data(payload), p.fromA()));
        assertEquals(Fault.INTERNAL, wrong.fault());

        sb.receiveArrays(null);
        assertArrayEquals(payload, assertInstanceOf(Event.Data.class, b.receive(p.data(payload), p.fromA())).payload());
    }
}
