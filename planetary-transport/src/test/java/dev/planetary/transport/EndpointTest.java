package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.MemoryRatchetStore;
import dev.planetary.zssp.DataTooLargeException;
import dev.planetary.zssp.Fault;
import dev.planetary.zssp.SessionStateException;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticKeyPair;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real UDP sockets on 127.0.0.1; every wait is bounded. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndpointTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final List<AutoCloseable> closeLater = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeLater) c.close();
    }

    /** A listener that echoes every payload and records events. */
    static final class Recorder implements EndpointListener {
        final boolean echo;
        final List<EndpointEvent> events = new CopyOnWriteArrayList<>();
        final List<PeerSession> accepted = new CopyOnWriteArrayList<>();

        Recorder(boolean echo) {
            this.echo = echo;
        }

        @Override
        public void onSession(PeerSession session) {
            accepted.add(session);
        }

        @Override
        public void onData(PeerSession session, byte[] payload) {
            if (echo) session.send(payload);
        }

        @Override
        public void onEvent(EndpointEvent event) {
            events.add(event);
        }

        long count(EndpointEvent.Kind kind) {
            return events.stream().filter(e -> e.kind() == kind).count();
        }
    }

    private Endpoint endpoint(Recorder listener, Settings settings, SecurityPolicy policy, int mtu) throws IOException {
        Endpoint.Builder b = Endpoint.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .identity(StaticKeyPair.generate())
                .store(new MemoryRatchetStore())
                .settings(settings)
                .policy(policy)
                .mtu(mtu)
                .handshakeTimeout(Duration.ofSeconds(15));
        if (listener != null) b.listener(listener);
        Endpoint e = b.build();
        closeLater.add(e);
        return e;
    }

    private Endpoint endpoint(Recorder listener) throws IOException {
        return endpoint(listener, Settings.defaults(), SecurityPolicy.opportunistic(), Endpoint.DEFAULT_MTU);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    private static byte[] pattern(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] echo(PeerSession s, byte[] payload) throws InterruptedException {
        s.send(payload);
        byte[] back = s.receive(WAIT);
        assertNotNull(back, "no echo of a " + payload.length + "-byte payload");
        return back;
    }

    /**
     * With a PayloadHandler, payloads arrive on the receive thread in order, the handler may send
     * (echo), its exceptions are counted without stopping delivery, and PeerSession.receive says
     * why it has nothing.
     */
    @Test
    void payloadHandlerRunsOnTheReceiveThread() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<Long> threads = new CopyOnWriteArrayList<>();
        Endpoint bob = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .store(new MemoryRatchetStore()).payloadHandler((session, payload) -> {
                    String text = new String(payload, StandardCharsets.UTF_8);
                    threads.add(Thread.currentThread().threadId());
                    seen.add(text);
                    if (text.equals("boom")) throw new IllegalStateException("handler failure (expected by the test)");
                    session.send(payload);
                }).build();
        closeLater.add(bob);
        Endpoint alice = endpoint(null);
        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("one", new String(echo(s, "one".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
        s.send("boom".getBytes(StandardCharsets.UTF_8));
        assertEquals("two", new String(echo(s, "two".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8), "delivery goes on after a handler exception");
        assertEquals(List.of("one", "boom", "two"), seen);
        for (long t : threads) assertTrue(bob.planeThreadIds().contains(t), "payloads are delivered on a plane thread");
        await("bob's session", () -> !bob.sessions().isEmpty());
        PeerSession atBob = bob.sessions().iterator().next();
        assertEquals(1, atBob.counters().get(Counters.Counter.HANDLER_ERRORS));
        assertEquals(1, bob.counters().get(Counters.Counter.HANDLER_ERRORS));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> atBob.receive(Duration.ofMillis(1)));
        assertTrue(e.getMessage().contains("PayloadHandler"), e.getMessage());
    }

    /**
     * PeerSession.receiveArrays: the session's payloads are decrypted into the lender's arrays (each
     * exactly the payload's length), intact; null returns to new arrays.
     */
    @Test
    void payloadsAreDecryptedIntoLentArrays() throws Exception {
        Endpoint bob = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .store(new MemoryRatchetStore()).payloadHandler((session, payload) -> session.send(payload)).build();
        closeLater.add(bob);
        Endpoint alice = endpoint(null);
        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        List<byte[]> lent = new CopyOnWriteArrayList<>();
        s.receiveArrays(n -> {
            byte[] a = new byte[n];
            java.util.Arrays.fill(a, (byte) 0x55); // as a reused array would be
            lent.add(a);
            return a;
        });
        for (int size : new int[] {1, 1416, 5000}) {
            byte[] p = pattern(size, size);
            byte[] back = echo(s, p);
            assertArrayEquals(p, back);
            assertTrue(lent.stream().anyMatch(a -> a == back), "decrypted into a lent array (" + size + " bytes)");
        }
        s.receiveArrays(null);
        byte[] back = echo(s, pattern(7, 7));
        assertTrue(lent.stream().noneMatch(a -> a == back), "new arrays again");
    }

    @Test
    void handshakeDataBothWaysAndCounters() throws Exception {
        Recorder bobEvents = new Recorder(true);
        Endpoint bob = endpoint(bobEvents);
        Recorder aliceEvents = new Recorder(false);
        Endpoint alice = endpoint(aliceEvents);

        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress(), "alice".getBytes(StandardCharsets.UTF_8))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(s.isEstablished());
        assertTrue(s.isInitiator());
        assertTrue(s.handshakeMillis() > 0);
        assertEquals(bob.localAddress(), s.remoteAddress());

        for (int size : new int[] {0, 1, 100, 1416, 5000, s.maxPayload()}) {
            byte[] p = pattern(size, size);
            assertArrayEquals(p, echo(s, p));
        }
        ByteBuffer bb = ByteBuffer.wrap("buffer".getBytes(StandardCharsets.UTF_8));
        s.send(bb);
        assertEquals(0, bb.remaining());
        assertArrayEquals("buffer".getBytes(StandardCharsets.UTF_8), s.receive(WAIT));

        PeerSession atBob = bob.accept(WAIT);
        assertNotNull(atBob);
        assertFalse(atBob.isInitiator());
        assertEquals(alice.publicKey(), atBob.peer());
        assertArrayEquals("alice".getBytes(StandardCharsets.UTF_8), atBob.identity());
        atBob.send("from bob".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("from bob".getBytes(StandardCharsets.UTF_8), s.receive(WAIT));

        await("bob's onSession", () -> bobEvents.accepted.size() == 1);
        await("events", () -> bobEvents.count(EndpointEvent.Kind.NEW_SESSION) == 1 && aliceEvents.count(EndpointEvent.Kind.ESTABLISHED) == 1);
        Counters c = alice.counters();
        assertEquals(1, c.get(Counters.Counter.HANDSHAKES));
        assertEquals(7, c.get(Counters.Counter.PAYLOADS_OUT));
        assertEquals(8, c.get(Counters.Counter.PAYLOADS_IN));
        assertTrue(c.get(Counters.Counter.PACKETS_OUT) > 8);
        assertTrue(c.get(Counters.Counter.BYTES_IN) > s.maxPayload());
        assertEquals(c.get(Counters.Counter.PAYLOADS_OUT), s.counters().get(Counters.Counter.PAYLOADS_OUT));
        assertEquals(0, c.get(Counters.Counter.INTERNAL_ERRORS));
        assertEquals(1, bob.counters().get(Counters.Counter.HANDSHAKES));
        assertTrue(bob.counters().snapshot().containsKey("drops.FAILED_AUTH"));

        byte[] tooBig = new byte[s.maxPayload() + 1];
        DataTooLargeException e = assertThrows(DataTooLargeException.class, () -> s.send(tooBig));
        assertTrue(e.getMessage().contains("48 fragments"), e.getMessage());

        s.close();
        assertTrue(s.isClosed());
        assertNull(s.receive(Duration.ofMillis(10)));
        assertNull(s.receive());
        SessionStateException closed = assertThrows(SessionStateException.class, () -> s.send(new byte[1]));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
    }

    @Test
    void smallestMtuCarriesTheLargestPayload() throws Exception {
        Endpoint bob = endpoint(new Recorder(true), Settings.defaults(), SecurityPolicy.opportunistic(), 128);
        Endpoint alice = endpoint(null, Settings.defaults(), SecurityPolicy.opportunistic(), 128);
        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(128, s.mtu());
        assertEquals((128 - 16) * 48 - 16, s.maxPayload());
        byte[] p = pattern(s.maxPayload(), 7);
        assertArrayEquals(p, echo(s, p));
    }

    @Test
    void refusedPeersAreToldOrIgnored() throws Exception {
        StaticKeyPair someoneElse = StaticKeyPair.generate();
        Recorder loud = new Recorder(true);
        Endpoint bob = endpoint(loud, Settings.defaults(),
                SecurityPolicy.builder().allow(List.of(someoneElse.publicKey())).build(), Endpoint.DEFAULT_MTU);
        Endpoint alice = endpoint(null);
        ExecutionException rejected = assertThrows(ExecutionException.class,
                () -> alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(SessionRejectedException.class, rejected.getCause());
        assertTrue(rejected.getCause().getMessage().contains("rejected"), rejected.getCause().getMessage());
        assertEquals(1, alice.counters().get(Counters.Counter.REJECTED_BY_PEER));
        await("refusal counted", () -> bob.counters().get(Counters.Counter.REFUSED) == 1 && loud.count(EndpointEvent.Kind.REFUSED) == 1);

        Endpoint quiet = endpoint(null, Settings.defaults(), SecurityPolicy.builder().silentlyReject(true).accept(AcceptPolicy.refuseAll()).build(),
                Endpoint.DEFAULT_MTU);
        Endpoint impatient = Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(StaticKeyPair.generate())
                .store(new MemoryRatchetStore()).handshakeTimeout(Duration.ofMillis(1500)).build();
        closeLater.add(impatient);
        ExecutionException timeout = assertThrows(ExecutionException.class,
                () -> impatient.connect(quiet.publicKey(), quiet.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(HandshakeTimeoutException.class, timeout.getCause());
        assertTrue(timeout.getCause().getMessage().contains("after 1."), timeout.getCause().getMessage());
        assertTrue(((HandshakeTimeoutException) timeout.getCause()).elapsedMillis() >= 1500);
        assertEquals(1, impatient.counters().get(Counters.Counter.HANDSHAKE_TIMEOUTS));
        assertTrue(impatient.sessions().isEmpty());
        await("silent refusal counted", () -> quiet.counters().get(Counters.Counter.REFUSED) >= 1);
    }

    @Test
    void acceptPolicySeesTheAddressTheHandshakeCameFrom() throws Exception {
        List<InetSocketAddress> seen = new CopyOnWriteArrayList<>();
        Endpoint bob = endpoint(new Recorder(true), Settings.defaults(),
                SecurityPolicy.builder().accept((peer, identity, source) -> seen.add(source)).build(), Endpoint.DEFAULT_MTU);
        Endpoint alice = endpoint(null);
        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(List.of(alice.localAddress()), seen);
        assertEquals(1, s.ratchetChainLength(), "the first handshake starts the ratchet chain");
    }

    @Test
    void hostileDatagramsNeverBreakTheEndpoint() throws Exception {
        Endpoint bob = endpoint(new Recorder(true));
        Random r = new Random(42);
        try (DatagramSocket attacker = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            for (int i = 0; i < 400; i++) {
                int len = switch (i % 5) {
                    case 0 -> r.nextInt(32);
                    case 1 -> 32 + r.nextInt(100);
                    case 2 -> 1432;
                    case 3 -> r.nextInt(9000);
                    default -> 16 + r.nextInt(40);
                };
                byte[] junk = new byte[len];
                r.nextBytes(junk);
                if (i % 7 == 0 && len >= 8) {
                    junk[0] = junk[1] = junk[2] = junk[3] = 0; // kid 0: the Hello path
                    junk[5] = (byte) (1 + r.nextInt(48));
                    junk[4] = (byte) r.nextInt(junk[5]);
                    junk[7] = 0;
                }
                attacker.send(new DatagramPacket(junk, len, bob.localAddress()));
            }
            // An empty datagram too.
            attacker.send(new DatagramPacket(new byte[0], 0, bob.localAddress()));
        }
        await("junk processed", () -> bob.counters().get(Counters.Counter.PACKETS_IN) >= 380);
        Endpoint alice = endpoint(null);
        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {1, 2, 3}, echo(s, new byte[] {1, 2, 3}));
        assertTrue(bob.counters().totalDrops() >= 380, bob.counters().toString());
        assertTrue(bob.counters().drops(Fault.INVALID_PACKET) > 0);
        assertEquals(0, bob.counters().get(Counters.Counter.INTERNAL_ERRORS));
    }

    /**
     * A session the engine expires (here: a rekey the vanished peer never answers) is closed by the
     * endpoint, which learns it from the engine ({@code Application.sessionExpired}) instead of
     * walking every session.
     */
    @Test
    void aSessionTheEngineExpiresIsClosed() throws Exception {
        Settings fast = Settings.defaults().withRekeyAfterTime(300, 50).withTimeouts(10_000, 600);
        Endpoint gone = endpoint(null, fast, SecurityPolicy.opportunistic(), Endpoint.DEFAULT_MTU);
        Recorder events = new Recorder(false);
        Endpoint alice = endpoint(events, fast, SecurityPolicy.opportunistic(), Endpoint.DEFAULT_MTU);
        PeerSession s = alice.connect(gone.publicKey(), gone.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        gone.close(); // the peer vanishes: alice's next rekey gets no answer and times out
        await("the expired session is closed", () -> s.isClosed() && alice.sessions().isEmpty());
        await("the CLOSED event (callbacks run on their own threads)", () -> events.count(EndpointEvent.Kind.CLOSED) >= 1);
        assertEquals(0, alice.counters().get(Counters.Counter.INTERNAL_ERRORS));
    }

    @Test
    void rekeysDuringTrafficWithShortTimers() throws Exception {
        Settings fast = Settings.defaults().withRekeyAfterTime(300, 50);
        Recorder bobEvents = new Recorder(true);
        Endpoint bob = endpoint(bobEvents, fast, SecurityPolicy.opportunistic(), Endpoint.DEFAULT_MTU);
        Recorder aliceEvents = new Recorder(false);
        Endpoint alice = endpoint(aliceEvents, fast, SecurityPolicy.opportunistic(), Endpoint.DEFAULT_MTU);
        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        int i = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        int lost = 0;
        while (alice.counters().get(Counters.Counter.REKEYS) < 3 || bob.counters().get(Counters.Counter.REKEYS) < 3) {
            assertTrue(System.nanoTime() < deadline, "not enough rekeys: " + alice.counters() + " / " + bob.counters());
            byte[] p = ByteBuffer.allocate(8).putLong(i++).array();
            s.send(p);
            byte[] back = s.receive(Duration.ofSeconds(2));
            if (back == null) {
                lost++; // a payload may be lost while keys change; the session must keep working
                continue;
            }
            while (back != null && !java.util.Arrays.equals(p, back)) back = s.receive(Duration.ofSeconds(2));
            assertNotNull(back);
            Thread.sleep(20);
        }
        assertTrue(lost <= 10, "lost " + lost + " payloads across rekeys");
        assertTrue(s.isEstablished());
        assertTrue(aliceEvents.count(EndpointEvent.Kind.REKEYED) >= 1 || bobEvents.count(EndpointEvent.Kind.REKEYED) >= 1);
        byte[] last = pattern(3000, 3);
        assertArrayEquals(last, echo(s, last));
    }

    @Test
    void challengeThenHandshake() throws Exception {
        Recorder bobEvents = new Recorder(true);
        Endpoint bob = endpoint(bobEvents);
        bob.setChallengeEnabled(true);
        assertTrue(bob.challengeEnabled());
        Endpoint alice = endpoint(null);
        PeerSession s = alice.connect(bob.publicKey(), bob.localAddress()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {9}, echo(s, new byte[] {9}));
        assertTrue(bob.counters().get(Counters.Counter.CHALLENGES_ISSUED) >= 1);
        await("challenge event", () -> bobEvents.count(EndpointEvent.Kind.CHALLENGE_ISSUED) >= 1);
    }

    @Test
    void sessionFollowsItsPeerToANewAddress() throws Exception {
        Recorder bobEvents = new Recorder(true);
        Endpoint bob = endpoint(bobEvents);
        Endpoint alice = endpoint(null);
        try (Relay relay = new Relay(bob.localAddress())) {
            PeerSession s = alice.connect(bob.publicKey(), relay.front()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {1}, echo(s, new byte[] {1}));
            InetSocketAddress before = bob.accept(WAIT).remoteAddress();
            relay.rebind(); // NAT rebinding: alice's packets now reach bob from another port
            assertArrayEquals(new byte[] {2}, echo(s, new byte[] {2}));
            PeerSession atBob = bob.sessionsWith(alice.publicKey()).get(0);
            assertFalse(before.equals(atBob.remoteAddress()), "bob's session should have moved");
            await("path event", () -> bobEvents.count(EndpointEvent.Kind.PATH_CHANGED) == 1);
            assertEquals(1, bob.counters().get(Counters.Counter.PATH_CHANGES));
        }
    }

    @Test
    void misuseGetsClearExceptions() throws Exception {
        IllegalStateException noKey = assertThrows(IllegalStateException.class,
                () -> Endpoint.builder().bind("127.0.0.1", 0).build());
        assertTrue(noKey.getMessage().contains("identity"));
        assertThrows(IllegalStateException.class, () -> Endpoint.builder().identity(StaticKeyPair.generate()).build());
        IllegalArgumentException mtu = assertThrows(IllegalArgumentException.class, () -> Endpoint.builder().mtu(100));
        assertTrue(mtu.getMessage().contains("128"), mtu.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.builder().bind("127.0.0.1", 70000));

        Endpoint bob = endpoint(null);
        BindException inUse = assertThrows(BindException.class,
                () -> Endpoint.builder().bind(bob.localAddress()).identity(StaticKeyPair.generate()).build());
        assertTrue(inUse.getMessage().contains("cannot bind 127.0.0.1:" + bob.localAddress().getPort()), inUse.getMessage());

        Endpoint alice = endpoint(null);
        assertThrows(IllegalArgumentException.class,
                () -> alice.connect(bob.publicKey(), InetSocketAddress.createUnresolved("nowhere.invalid", 1)));
        assertThrows(IllegalArgumentException.class, () -> alice.connect(bob.publicKey(), bob.localAddress(), new byte[4097]));
        IllegalArgumentException v6 = assertThrows(IllegalArgumentException.class,
                () -> alice.connect(bob.publicKey(), new InetSocketAddress("::1", 5)));
        assertTrue(v6.getMessage().contains("IPv6"), v6.getMessage());

        CompletableFuture<PeerSession> pending = alice.connect(bob.publicKey(), new InetSocketAddress("127.0.0.1", 9));
        PeerSession handshaking = alice.sessionsWith(bob.publicKey()).get(0);
        SessionStateException early = assertThrows(SessionStateException.class, () -> handshaking.send(new byte[1]));
        assertTrue(early.getMessage().contains("not established"), early.getMessage());
        alice.close();
        ExecutionException closed = assertThrows(ExecutionException.class, () -> pending.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(EndpointClosedException.class, closed.getCause());
        assertThrows(IllegalStateException.class, () -> alice.connect(bob.publicKey(), bob.localAddress()));
        alice.close(); // idempotent
    }

    /** A UDP relay that can change the port it forwards from (a NAT rebinding). */
    static final class Relay implements AutoCloseable {
        private final DatagramSocket front;
        private final InetSocketAddress target;
        private volatile DatagramSocket back;
        private volatile InetSocketAddress client;
        private volatile boolean open = true;
        private final List<Thread> threads = new CopyOnWriteArrayList<>();

        Relay(InetSocketAddress target) throws IOException {
            this.target = target;
            this.front = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            this.back = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            threads.add(Thread.ofPlatform().daemon().start(this::forward));
            threads.add(Thread.ofPlatform().daemon().start(() -> backward(back)));
        }

        InetSocketAddress front() {
            return (InetSocketAddress) front.getLocalSocketAddress();
        }

        void rebind() throws IOException {
            DatagramSocket old = back;
            DatagramSocket fresh = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            threads.add(Thread.ofPlatform().daemon().start(() -> backward(fresh)));
            back = fresh;
            old.close();
        }

        private void forward() {
            byte[] buf = new byte[65536];
            while (open) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    front.receive(p);
                    client = (InetSocketAddress) p.getSocketAddress();
                    back.send(new DatagramPacket(p.getData(), p.getLength(), target));
                } catch (IOException e) {
                    if (front.isClosed()) return;
                }
            }
        }

        private void backward(DatagramSocket sock) {
            byte[] buf = new byte[65536];
            while (open && !sock.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    sock.receive(p);
                    if (client != null) front.send(new DatagramPacket(p.getData(), p.getLength(), client));
                } catch (IOException e) {
                    if (sock.isClosed()) return;
                }
            }
        }

        @Override
        public void close() {
            open = false;
            front.close();
            back.close();
        }
    }
}
