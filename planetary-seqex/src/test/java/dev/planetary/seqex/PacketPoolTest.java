package dev.planetary.seqex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.seqex.PacketPool.OutPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pooled packets (docs/seqex.md "Pooled packets"): a sent payload's array is reused only once the
 * packet left the send window <em>and</em> every queued transmission of it was sent.
 */
class PacketPoolTest {

    /** Holds transmissions like {@link Seqex}'s outbox, sending them only when the test says so. */
    static final class HeldOutbox implements SeqexCore.Outbox {
        final List<OutPacket> queued = new ArrayList<>();
        final List<byte[]> exact = new ArrayList<>();

        @Override
        public void send(byte[] payload) {
            exact.add(payload);
        }

        @Override
        public void send(OutPacket packet) {
            packet.pin();
            queued.add(packet);
        }

        @Override
        public boolean keepsPackets() {
            return false;
        }

        /** Sends (here: copies) the oldest queued transmission and releases it, as the outbox's flush does. */
        byte[] flushOne() {
            OutPacket p = queued.remove(0);
            byte[] wire = Arrays.copyOf(p.bytes, p.length);
            p.release();
            return wire;
        }
    }

    private static final SeqexCore.Listener IGNORE = new SeqexCore.Listener() {
        @Override
        public void onMessage(int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {}

        @Override
        public void onReply(int channel, int requestSeq, Object attachment, byte[] payload, boolean seqCst) {}
    };

    @Test
    void anAcknowledgedPacketStillQueuedKeepsItsArrayUntilSent() {
        HeldOutbox out = new HeldOutbox();
        SeqexCore core = new SeqexCore(SeqexConfig.defaults().withCongestionControl(false), out, IGNORE);
        PacketPool pool = core.packetPool();
        assertNotNull(pool, "a carrier that keeps no packet gets a pool");
        byte[] payload = new byte[10_000]; // a bulk packet (at least a quarter of the pooled size)
        new SplittableRandom(1).nextBytes(payload);
        int seq = core.send(1, payload, true, false, null, 0);
        byte[] array = out.queued.get(0).bytes;
        core.receive(Codec.ack(1, seq, false), 1); // acknowledged before its transmission left the outbox
        assertEquals(0, core.inFlight(1));
        assertEquals(0, pool.idle(), "the queued transmission still owns the array");
        byte[] wire = out.flushOne();
        assertArrayEquals(Codec.payload(1, seq, true, false, payload), wire, "sent intact although acknowledged");
        assertEquals(1, pool.idle(), "back in the pool once sent");
        core.send(1, new byte[8_000], true, false, null, 2);
        assertSame(array, out.queued.get(0).bytes, "the next packet reuses the array");
        assertEquals(1, pool.reused());
    }

    @Test
    void aResendQueuedTwiceIsReleasedAfterBothTransmissions() {
        HeldOutbox out = new HeldOutbox();
        SeqexConfig cfg = SeqexConfig.defaults().withCongestionControl(false).withRto(100, 10, 1000, false);
        SeqexCore core = new SeqexCore(cfg, out, IGNORE);
        byte[] payload = new byte[6000];
        new SplittableRandom(7).nextBytes(payload);
        int seq = core.send(1, payload, true, false, null, 0);
        core.service(10_000); // the resend timer fired: a second transmission of the same array is queued
        assertEquals(2, out.queued.size());
        assertSame(out.queued.get(0), out.queued.get(1));
        core.receive(Codec.ack(1, seq, false), 10_001);
        byte[] expected = Codec.payload(1, seq, true, false, payload);
        assertArrayEquals(expected, out.flushOne());
        assertEquals(0, core.packetPool().idle(), "one transmission is still queued");
        assertArrayEquals(expected, out.flushOne());
        assertEquals(1, core.packetPool().idle());
    }

    @Test
    void closingReleasesTheWindowsShareAndAReleaseTooManyIsRefused() {
        HeldOutbox out = new HeldOutbox();
        SeqexCore core = new SeqexCore(SeqexConfig.defaults(), out, IGNORE);
        core.send(2, new byte[5000], true, false, null, 0);
        out.flushOne();
        assertEquals(0, core.packetPool().idle(), "in flight: the window owns it");
        core.close();
        assertEquals(1, core.packetPool().idle());
        OutPacket p = core.packetPool().take(50);
        p.release();
        assertThrows(IllegalStateException.class, p::release);
    }

    @Test
    void aSmallPacketGetsAnExactArrayOfItsOwn() {
        HeldOutbox out = new HeldOutbox();
        SeqexCore core = new SeqexCore(SeqexConfig.defaults(), out, IGNORE);
        core.send(1, new byte[100], true, false, null, 0);
        assertTrue(out.queued.isEmpty(), "not pooled");
        assertEquals(Codec.HEADER + 100, out.exact.get(0).length);
        assertEquals(0, core.packetPool().allocated());
    }

    @Test
    void aCarrierThatKeepsPacketsGetsArraysOfTheirOwn() {
        List<byte[]> sent = new ArrayList<>();
        SeqexCore core = new SeqexCore(SeqexConfig.defaults(), sent::add, IGNORE);
        assertNull(core.packetPool());
        core.send(1, new byte[10], true, false, null, 0);
        assertEquals(Codec.HEADER + 10, sent.get(0).length);
    }

    @Test
    void thePoolKeepsABoundedNumberOfArrays() {
        PacketPool pool = new PacketPool(64);
        List<OutPacket> taken = new ArrayList<>();
        for (int i = 0; i < 3 * PacketPool.KEPT; i++) taken.add(pool.take(10));
        for (OutPacket p : taken) p.release();
        assertEquals(PacketPool.KEPT, pool.idle());
        assertThrows(IllegalArgumentException.class, () -> pool.take(65));
    }

    @Test
    void idleArraysTheCollectorTookBackAreReplacedByNewOnes() {
        PacketPool pool = new PacketPool(64);
        OutPacket a = pool.take(40);
        OutPacket b = pool.take(40);
        a.release();
        b.release();
        assertEquals(2, pool.idle());
        pool.dropIdle(); // what the collector does under memory pressure (they are held softly)
        assertEquals(0, pool.idle());
        long allocated = pool.allocated();
        OutPacket c = pool.take(40);
        assertEquals(allocated + 1, pool.allocated(), "nothing idle left: a new array");
        c.release();
        assertEquals(1, pool.idle(), "kept again in a new set");
        assertSame(c.bytes, pool.take(40).bytes);
    }

    /**
     * Two endpoints over a link that loses and duplicates, carriers that keep no packet: the sending
     * endpoint acknowledges packets (and reuses their arrays for new ones) while another thread is still
     * inside {@code send} for them. The carrier checks that each array is unchanged from the start of
     * its send to its end, and every payload arrives exactly once, in order, byte for byte.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void recycledArraysAreNeverOverwrittenWhileBeingSent() throws Exception {
        SeqexConfig cfg = SeqexConfig.defaults().withRto(20, 5, 200, true).withWindow(16, 16).withMaxPacketSize(4096);
        AtomicLong overwritten = new AtomicLong();
        List<Seqex> peers = new ArrayList<>();
        Carrier[] links = new Carrier[2];
        for (int i = 0; i < 2; i++) {
            int to = 1 - i;
            SplittableRandom r = new SplittableRandom(300 + i);
            links[i] = new Carrier() {
                @Override
                public void send(byte[] payload) {
                    send(payload, 0, payload.length);
                }

                @Override
                public void send(byte[] packet, int off, int len) {
                    double x;
                    synchronized (r) {
                        x = r.nextDouble();
                    }
                    byte[] wire = Arrays.copyOfRange(packet, off, off + len); // as ZSSP encrypts it
                    if (x >= 0.1) peers.get(to).receiveOwned(wire.clone()); // synchronous: its ACK comes back inside this call
                    if (x > 0.9) peers.get(to).receiveOwned(wire.clone());
                    if (x < 0.02) Thread.yield();
                    if (!Arrays.equals(wire, 0, len, packet, off, off + len)) overwritten.incrementAndGet();
                }

                @Override
                public boolean keepsPackets() {
                    return false;
                }
            };
        }
        int channels = 3;
        int n = 400;
        try (Seqex a = new Seqex(links[0], cfg, Seqex.systemClock()); Seqex b = new Seqex(links[1], cfg, Seqex.systemClock())) {
            peers.add(a);
            peers.add(b);
            a.startServiceThread();
            b.startServiceThread();
            List<Thread> senders = new ArrayList<>();
            for (int ch = 1; ch <= channels; ch++) {
                int c = ch;
                senders.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int i = 0; i < n; i++) a.channel(c).sendSeqCst(payload(c, i));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            for (int ch = 1; ch <= channels; ch++) {
                Channel in = b.channel(ch);
                for (int i = 0; i < n; i++) assertArrayEquals(payload(ch, i), in.receive().payload(), "channel " + ch + " payload " + i);
            }
            for (Thread t : senders) t.join();
            for (int ch = 1; ch <= channels; ch++) assertNull(b.channel(ch).poll(), "nothing delivered twice");
            assertEquals(0, overwritten.get(), "arrays overwritten while being sent");
            assertTrue(a.packetPool().reused() > n, "the sender reused arrays: " + a.packetPool().reused());
            assertTrue(a.stats().retransmits() > 0 && b.stats().duplicates() > 0, "the link lost and duplicated");
        }
    }

    /**
     * The receive side: datagrams handed over with {@code receiveOwned} go back to the recycler exactly
     * once, and only after nothing refers to them: the recycler scribbles over each array as its next
     * owner would, and every payload, read from a batch before the batch is freed, is still intact —
     * out-of-order (held) packets and duplicates included. Reading a freed message throws.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void receivedDatagramsAreRecycledOnlyOnceNothingRefersToThem() throws Exception {
        SeqexConfig cfg = SeqexConfig.defaults().withRto(20, 5, 200, true).withWindow(16, 16).withMaxPacketSize(4096);
        java.util.Set<byte[]> given = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.Set<byte[]> recycled = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        AtomicLong twice = new AtomicLong();
        AtomicLong foreign = new AtomicLong();
        List<Seqex> peers = new ArrayList<>();
        Carrier[] links = new Carrier[2];
        for (int i = 0; i < 2; i++) {
            int to = 1 - i;
            SplittableRandom r = new SplittableRandom(500 + i);
            java.util.ArrayDeque<byte[]> late = new java.util.ArrayDeque<>();
            links[i] = b -> {
                double x;
                byte[] reorder = null;
                synchronized (r) {
                    x = r.nextDouble();
                    if (x > 0.8) late.add(b.clone()); // held back: arrives after a later packet
                    else if (!late.isEmpty() && x < 0.5) reorder = late.poll();
                }
                if (x < 0.1 || x > 0.8) return; // lost (or held back)
                deliver(peers.get(to), b.clone(), given);
                if (x > 0.75) deliver(peers.get(to), b.clone(), given); // duplicated
                if (reorder != null) deliver(peers.get(to), reorder, given);
            };
        }
        try (Seqex a = new Seqex(links[0], cfg, Seqex.systemClock()); Seqex b = new Seqex(links[1], cfg, Seqex.systemClock())) {
            peers.add(a);
            peers.add(b);
            b.recycleReceived(d -> {
                synchronized (given) {
                    if (!given.contains(d)) foreign.incrementAndGet();
                    if (!recycled.add(d)) twice.incrementAndGet();
                }
                Arrays.fill(d, (byte) 0x55); // its next owner writes over it
            });
            a.startServiceThread();
            b.startServiceThread();
            int n = 500;
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < n; i++) a.channel(1).sendSeqCst(payload(1, i));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Channel in = b.channel(1);
            List<Message> batch = new ArrayList<>();
            Message freed = null;
            for (int i = 0; i < n; ) {
                in.receiveBatch(batch, 8, m -> false); // frees the previous batch: its datagrams may be recycled now
                for (Message m : batch) {
                    ByteBuffer view = m.payloadBuffer();
                    byte[] got = new byte[view.remaining()];
                    view.get(got);
                    assertArrayEquals(payload(1, i), got, "payload " + i);
                    i++;
                    freed = m;
                }
            }
            for (Message m : batch) in.consumed(m); // frees the last batch
            sender.join();
            Message last = freed;
            if (last.sharesDatagram()) assertThrows(IllegalStateException.class, last::payload, "a freed message's datagram is gone");
            assertEquals(0, twice.get(), "a datagram recycled twice");
            assertEquals(0, foreign.get(), "recycled an array it was not given");
            assertTrue(recycled.size() > n, "data and duplicate datagrams recycled: " + recycled.size());
            assertTrue(b.stats().duplicates() > 0, "the link duplicated");
        }
    }

    private static void deliver(Seqex to, byte[] datagram, java.util.Set<byte[]> given) {
        synchronized (given) {
            given.add(datagram);
        }
        to.receiveOwned(datagram);
    }

    /** Payload {@code i} of channel {@code ch}: its numbers, then bytes that follow from them. */
    private static byte[] payload(int ch, int i) {
        byte[] p = new byte[8 + new SplittableRandom(ch * 100_003L + i).nextInt(4000)];
        new SplittableRandom(ch * 7_919L + i).nextBytes(p);
        ByteBuffer.wrap(p).putInt(ch).putInt(i);
        return p;
    }
}
