package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.Fault;
import dev.planetary.zssp.StaticKeyPair;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fragment flood at an established session over real UDP. The legitimate initiator reaches the
 * responder through a recording relay (an on-path observer: it sees every datagram, so the attacker
 * knows the live key ids and has real datagrams to replay). While the initiator sends numbered
 * payloads (single- and three-fragment ones) an attacker thread floods <b>both</b> endpoints with
 * (a) forged fragments: a live key id followed by random bytes of random length, (b) replays of
 * every captured datagram addressed to a key id (Response, Completion, key confirmations, data; both
 * directions), and (c) captured datagrams with a few flipped bytes, at {@link #ATTACK_RATE}. Asserts ≥ 99 % of the legitimate payloads are delivered, each exactly once and
 * intact, the session survives (not expired, not replaced), and no internal error; reports drops per
 * fault class. Default: 3000 payloads; {@code -Dplanetary.long=true}: 30000.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class FragmentFloodTest {
    static final boolean LONG = Boolean.getBoolean("planetary.long");
    /**
     * Attack datagrams per second (both ends together): ten times the legitimate stream, but below
     * what the receive threads absorb on a loaded 2-core machine. An unpaced flood overruns the
     * kernel's socket buffers and then drops legitimate datagrams with everything else, which is
     * bandwidth exhaustion that no protocol prevents; this test is about what ZSSP's own checks do
     * with forged and replayed fragments.
     */
    static final double ATTACK_RATE = 20_000;

    /** A UDP relay between one client and one server that records what passes. */
    static final class Relay implements AutoCloseable {
        final DatagramChannel front = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        final DatagramChannel back = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        final InetSocketAddress server;
        volatile SocketAddress client;
        final List<byte[]> toServer = new CopyOnWriteArrayList<>();
        final List<byte[]> toClient = new CopyOnWriteArrayList<>();
        final AtomicBoolean open = new AtomicBoolean(true);
        final Thread up;
        final Thread down;

        Relay(InetSocketAddress server) throws java.io.IOException {
            this.server = server;
            // The relay is test scaffolding, not the system under test: give its sockets room, so a
            // starved relay thread on a loaded machine does not drop the legitimate stream itself.
            for (DatagramChannel ch : List.of(front, back)) ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 << 20);
            up = Thread.ofPlatform().daemon().start(() -> pump(front, true));
            down = Thread.ofPlatform().daemon().start(() -> pump(back, false));
        }

        InetSocketAddress address() throws java.io.IOException {
            return (InetSocketAddress) front.getLocalAddress();
        }

        private void pump(DatagramChannel in, boolean toSrv) {
            ByteBuffer b = ByteBuffer.allocate(65_536);
            while (open.get()) {
                try {
                    b.clear();
                    SocketAddress from = in.receive(b);
                    b.flip();
                    byte[] copy = Arrays.copyOf(b.array(), b.limit());
                    if (toSrv) {
                        client = from;
                        if (toServer.size() < 20_000) toServer.add(copy);
                        back.send(b, server);
                    } else if (client != null) {
                        if (toClient.size() < 20_000) toClient.add(copy);
                        front.send(b, client);
                    }
                } catch (java.io.IOException e) {
                    if (!open.get()) return;
                }
            }
        }

        @Override
        public void close() throws Exception {
            open.set(false);
            front.close();
            back.close();
            up.join(2000);
            down.join(2000);
        }
    }

    @Test
    void fragmentFloodOnAnEstablishedSessionKeepsDelivery() throws Exception {
        int payloads = LONG ? 30_000 : 3_000;
        AtomicLong delivered = new AtomicLong();
        AtomicLong corrupt = new AtomicLong();
        boolean[] seen = new boolean[payloads];
        AtomicLong duplicates = new AtomicLong();
        EndpointListener counting = new EndpointListener() {
            @Override
            public void onData(PeerSession s, byte[] p) {
                int seq = java.nio.ByteBuffer.wrap(p).getInt();
                if (seq < 0 || seq >= payloads || !Arrays.equals(p, payload(seq))) {
                    corrupt.incrementAndGet();
                    return;
                }
                synchronized (seen) {
                    if (seen[seq]) duplicates.incrementAndGet();
                    seen[seq] = true;
                }
                delivered.incrementAndGet();
            }
        };
        try (Endpoint responder = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                        .store(new MemoryRatchetStore()).receiveQueueCapacity(0).listener(counting).build();
                Relay relay = new Relay(responder.localAddress());
                Endpoint initiator = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                        .store(new MemoryRatchetStore()).receiveQueueCapacity(0).build()) {
            PeerSession s = initiator.connect(responder.publicKey(), relay.address()).get(20, TimeUnit.SECONDS);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (responder.sessions().isEmpty() && System.nanoTime() < until) Thread.sleep(10);
            PeerSession atResponder = responder.sessions().iterator().next();
            for (int i = 0; i < 20; i++) s.send(new byte[8]); // DATA for the relay to capture (the counters are reset below)
            Thread.sleep(200);
            corrupt.set(0);
            delivered.set(0);
            Arrays.fill(seen, false);
            // Datagrams addressed to the sessions (kid != 0): replaying Hellos is HelloFloodTest's subject.
            List<byte[]> capturedToServer = new ArrayList<>(relay.toServer.stream().filter(d -> java.nio.ByteBuffer.wrap(d).getInt() != 0).toList());
            List<byte[]> capturedToClient = new ArrayList<>(relay.toClient.stream().filter(d -> java.nio.ByteBuffer.wrap(d).getInt() != 0).toList());
            assertTrue(capturedToServer.size() >= 20 && !capturedToClient.isEmpty(), "the relay recorded the handshake and data");
            int serverKid = java.nio.ByteBuffer.wrap(capturedToServer.get(capturedToServer.size() - 1)).getInt();
            int clientKid = java.nio.ByteBuffer.wrap(capturedToClient.get(capturedToClient.size() - 1)).getInt();
            InetSocketAddress clientAddr = initiator.localAddress();
            long drops0 = responder.counters().totalDrops() + initiator.counters().totalDrops();

            AtomicBoolean attack = new AtomicBoolean(true);
            long[] sent = new long[3]; // forged, replayed, mutated (written by the attacker thread only)
            java.util.concurrent.atomic.AtomicLong attackTotal = new java.util.concurrent.atomic.AtomicLong();
            Thread attacker = Thread.ofPlatform().daemon().start(() -> {
                SplittableRandom r = new SplittableRandom(7);
                try (DatagramChannel ch = DatagramChannel.open()) {
                    ByteBuffer b = ByteBuffer.allocate(2048);
                    long n = 0;
                    long start = System.nanoTime();
                    while (attack.get()) {
                        while (attack.get() && n >= (System.nanoTime() - start) / 1e9 * ATTACK_RATE) java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                        boolean atServer = (n & 1) == 0;
                        InetSocketAddress to = atServer ? responder.localAddress() : clientAddr;
                        List<byte[]> cap = atServer ? capturedToServer : capturedToClient;
                        b.clear();
                        int kind = (int) (n % 3);
                        if (kind == 0) { // forged: live kid, random header and body
                            b.putInt(atServer ? serverKid : clientKid);
                            int len = 32 + r.nextInt(1400);
                            for (int i = 4; i < len; i++) b.put((byte) r.nextInt());
                        } else if (kind == 1) { // replay, verbatim
                            b.put(cap.get(r.nextInt(cap.size())));
                        } else { // captured, a few bytes flipped
                            byte[] d = cap.get(r.nextInt(cap.size())).clone();
                            for (int f = 0; f < 3; f++) d[4 + r.nextInt(d.length - 4)] ^= (byte) (1 + r.nextInt(255));
                            b.put(d);
                        }
                        b.flip();
                        try {
                            ch.send(b, to);
                            sent[kind]++;
                            attackTotal.incrementAndGet();
                        } catch (java.io.IOException ignored) {
                            // keep going
                        }
                        n++;
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long t0 = System.nanoTime();
            long gateLimit = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (int i = 0; i < payloads; i++) {
                long due = t0 + i * 1_000_000L; // a steady legitimate stream of 1000 payloads/s, not a burst
                while (System.nanoTime() < due) java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
                // Keep the attack at least 10:1 throughout, however slow a loaded machine makes the attacker.
                while (attackTotal.get() < 10L * (i + 1) && System.nanoTime() < gateLimit) {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
                s.send(payload(i));
            }
            double sendSeconds = (System.nanoTime() - t0) / 1e9;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (delivered.get() < payloads && System.nanoTime() < deadline) Thread.sleep(20);
            attack.set(false);
            attacker.join(5000);
            long got = delivered.get();
            long drops = responder.counters().totalDrops() + initiator.counters().totalDrops() - drops0;

            String diag = " (attacker sent " + Arrays.toString(sent) + "; relay forwarded " + relay.toServer.size() + " to the responder; responder "
                    + responder.counters() + "; initiator " + initiator.counters() + ")";
            assertTrue(got >= Math.ceil(0.99 * payloads), got + " of " + payloads + " legitimate payloads delivered under the flood" + diag);
            assertEquals(0, duplicates.get(), "a replayed DATA packet was delivered twice");
            assertEquals(0, corrupt.get(), "a forged or altered payload was delivered");
            assertFalse(s.isClosed());
            assertTrue(responder.sessions().contains(atResponder), "the responder's session survives");
            assertTrue(s.session().isEstablished() && atResponder.session().isEstablished());
            assertTrue(attackTotal.get() >= 10L * payloads, "the attacker out-sent the legitimate stream 10:1: " + Arrays.toString(sent));
            assertEquals(0, responder.counters().get(Counters.Counter.INTERNAL_ERRORS) + initiator.counters().get(Counters.Counter.INTERNAL_ERRORS));
            // The session still works after the flood.
            s.send(payload(0));

            StringBuilder faults = new StringBuilder();
            for (Fault f : Fault.values()) {
                long n = responder.counters().drops(f) + initiator.counters().drops(f);
                if (n > 0) faults.append(f).append('=').append(n).append(' ');
            }
            Figures.report("FragmentFloodTest", String.format(Locale.ROOT,
                    "%d legitimate payloads (1/3 of them 3 fragments) in %.1f s: %d delivered (%.2f%%), 0 duplicates, 0 corrupt; attacker sent %d forged, "
                            + "%d replayed, %d bit-flipped captured datagrams (%.0f/s) at both ends; %d dropped by the endpoints: %s",
                    payloads, sendSeconds, got, 100.0 * got / payloads, sent[0], sent[1], sent[2], (sent[0] + sent[1] + sent[2]) / sendSeconds, drops,
                    faults.toString().trim()));
        }
    }

    /** Payload {@code seq}: 4-byte sequence number, then a deterministic pattern; every third is 3000 bytes (3 fragments). */
    static byte[] payload(int seq) {
        byte[] p = new byte[seq % 3 == 2 ? 3000 : 200];
        new SplittableRandom(seq).nextBytes(p);
        java.nio.ByteBuffer.wrap(p).putInt(seq);
        return p;
    }
}
