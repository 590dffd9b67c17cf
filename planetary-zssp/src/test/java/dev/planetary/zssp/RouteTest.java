package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Context#route}, the receive planes' classification: every step of a handshake and of
 * DATA lands on the plane that can afford it, and the datagram is not changed.
 */
class RouteTest {

    @Test
    void handshakeStepsDataAndStrangersAreRoutedAndLeftUnchanged() {
        SimNetwork net = new SimNetwork(12);
        SimNetwork.Node a = net.node("a", Settings.defaults());
        SimNetwork.Node b = net.node("b", Settings.defaults());
        net.connect(a, b, 1432);
        Deque<SimNetwork.Datagram> wire = new ArrayDeque<>();
        net.tap = wire::add;
        Session<String> s = a.open(b);
        int handshakeAtB = 0;
        int newSessions = 0;
        while (!wire.isEmpty()) {
            SimNetwork.Datagram d = wire.poll();
            byte[] before = d.bytes().clone();
            Context.Route route = d.to().ctx.route(d.bytes(), 0, d.bytes().length);
            assertArrayEquals(before, d.bytes(), "route must not change the datagram");
            Received<String> r = net.deliver(d);
            if (d.to() == b && route == Context.Route.HANDSHAKE) handshakeAtB++;
            if (r instanceof Event.NewSession<String>) {
                newSessions++;
                assertEquals(Context.Route.HANDSHAKE, route, "the Completion goes to a pending handshake: the handshake plane");
            }
            if (d.to() == a) assertEquals(Context.Route.SESSION_CONTROL, route, "the initiator's session gets control steps only");
            assertTrue(route != Context.Route.DATA && route != Context.Route.UNKNOWN, "no DATA or stranger during the handshake: " + route);
        }
        assertEquals(1, newSessions);
        assertTrue(handshakeAtB >= 2, "the Hello and the Completion (fragments each): " + handshakeAtB);
        assertTrue(s.isEstablished());

        s.send(new byte[] {1, 2, 3});
        SimNetwork.Datagram data = wire.poll();
        assertEquals(Context.Route.DATA, b.ctx.route(data.bytes(), 0, data.bytes().length));
        assertInstanceOf(Event.Data.class, net.deliver(data));

        byte[] stranger = new byte[64];
        new SplittableRandom(3).nextBytes(stranger);
        stranger[0] |= 1; // a non-zero key id nobody registered
        assertEquals(Context.Route.UNKNOWN, b.ctx.route(stranger, 0, stranger.length));
        assertEquals(Context.Route.UNKNOWN, b.ctx.route(new byte[31], 0, 31), "shorter than any packet");
        byte[] hello = new byte[64];
        assertEquals(Context.Route.HANDSHAKE, b.ctx.route(hello, 0, hello.length), "key id 0");
        byte[] forged = Arrays.copyOf(data.bytes(), data.bytes().length);
        forged[7] ^= 0x55; // the encrypted header: the type decrypts to something else, or DATA by chance
        Context.Route f = b.ctx.route(forged, 0, forged.length);
        assertTrue(f == Context.Route.SESSION_CONTROL || f == Context.Route.DATA, "a live key id is a session's: " + f);

        // Hostile input: random datagrams of any length, half under the live key id, at any offset, never throw.
        SplittableRandom rnd = new SplittableRandom(99);
        for (int i = 0; i < 20_000; i++) {
            byte[] d = new byte[rnd.nextInt(0, 200)];
            rnd.nextBytes(d);
            if (d.length >= 4 && rnd.nextBoolean()) System.arraycopy(data.bytes(), 0, d, 0, 4);
            int off = d.length == 0 ? 0 : rnd.nextInt(d.length + 1);
            byte[] copy = d.clone();
            b.ctx.route(d, off, d.length - off);
            assertArrayEquals(copy, d);
        }
    }
}
