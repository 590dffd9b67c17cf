package dev.planetary.vl1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@link UpperLayer} hook of {@link Node}: carried verbs go up, sendUpper queues like send (§5.10). */
class UpperLayerTest {

    /** Records what the node hands up; optionally answers from inside the callback. */
    static final class Recorder implements UpperLayer {
        final List<String> log = new ArrayList<>();
        final List<byte[]> messages = new ArrayList<>();
        Node node;
        boolean echoBack;

        @Override
        public void received(Fingerprint peer, Address address, byte[] message) {
            messages.add(message);
            log.add("msg " + Verb.name(message[0] & 0xff) + " from " + address);
            if (echoBack && message[0] == Verb.NETWORK_CONFIG_REQUEST) {
                byte[] answer = message.clone();
                answer[0] = Verb.NETWORK_CONFIG;
                node.sendUpper(peer, answer); // re-entrant send from a callback
            }
        }

        @Override
        public void sessionUp(Fingerprint peer, Address address) {
            log.add("up " + address);
        }

        @Override
        public void sessionDown(Fingerprint peer, String reason) {
            log.add("down " + reason);
        }

        long count(int verb) {
            return messages.stream().filter(m -> (m[0] & 0xff) == verb).count();
        }
    }

    private static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    private static Recorder attach(SimNode n) {
        Recorder r = new Recorder();
        r.node = n.node;
        n.node.attach(r);
        return r;
    }

    @Test
    void sendByAddressQueuesUntilTheSessionIsUpThenMessagesReachTheLayer() {
        World w = new World(11, 2, 2);
        assertTrue(w.runUntil(w::allRootsAlive, 10_000));
        SimNode a = w.member(0), b = w.member(1);
        Recorder ra = attach(a), rb = attach(b);
        rb.echoBack = true;
        byte[] frame = {Verb.FRAME, 1, 2, 3};
        byte[] request = {Verb.NETWORK_CONFIG_REQUEST, 9, 9};
        byte[] seqex = {Verb.SEQEX, 0x11, 0, 0};
        a.run(() -> {
            assertTrue(a.node.sendUpper(b.node.address(), frame), "queued while the lookup runs");
            assertTrue(a.node.sendUpper(b.node.address(), request));
            assertTrue(a.node.sendUpper(b.node.address(), seqex));
        });
        assertFalse(a.node.hasSession(b.node.fingerprint()), "no session yet: the messages wait");
        assertTrue(w.runUntil(() -> rb.messages.size() == 3 && ra.count(Verb.NETWORK_CONFIG) == 1, 10_000), () -> "b: " + rb.log + " a: " + ra.log + " " + a.node.counters());
        // VL1 does not order (jittered links reorder datagrams): each arrives once, intact
        assertEquals(java.util.Set.of(hex(frame), hex(request), hex(seqex)), java.util.Set.copyOf(rb.messages.stream().map(UpperLayerTest::hex).toList()));
        assertEquals("up " + b.node.address(), ra.log.getFirst(), "the layer hears of the session before anything flows");
        assertEquals("msg NETWORK_CONFIG from " + b.node.address(), ra.log.getLast());
        assertEquals(0, b.node.count(NodeCounter.UNSUPPORTED_VERB));
        assertEquals(0, a.node.count(NodeCounter.INTERNAL_ERROR) + b.node.count(NodeCounter.INTERNAL_ERROR));
        assertEquals(b.node.identity(b.node.fingerprint()).isPresent(), false, "a node is not its own peer");
        assertEquals(b.node.fingerprint(), a.node.identity(b.node.fingerprint()).orElseThrow().fingerprint());
        assertEquals(b.node.address(), a.node.boundAddress(b.node.fingerprint()).orElseThrow());

        // OK / ERROR answering a carried verb go up too; VL1's own stay in VL1
        byte[] ok = new Ok.Other(Verb.MULTICAST_GATHER, 77, Bytes.of(new byte[] {1})).encode();
        byte[] denied = new ErrorMessage(Verb.FRAME, 0, ErrorMessage.NEED_MEMBERSHIP_CERTIFICATE, new ErrorMessage.Detail.NetworkId(5)).encode();
        b.run(() -> {
            assertTrue(b.node.sendUpper(a.node.fingerprint(), ok));
            assertTrue(b.node.sendUpper(a.node.fingerprint(), denied));
        });
        assertTrue(w.runUntil(() -> ra.messages.size() == 3, 5_000), ra.log::toString);
        assertEquals(java.util.Set.of(hex(ok), hex(denied)), java.util.Set.of(hex(ra.messages.get(1)), hex(ra.messages.get(2))));

        a.run(() -> a.node.closeSession(b.node.fingerprint(), "seqex give-up"));
        assertEquals("down seqex give-up", ra.log.getLast());
        assertFalse(a.node.hasSession(b.node.fingerprint()));
    }

    @Test
    void withoutALayerCarriedVerbsAreStillAnsweredUnsupported() {
        World w = new World(12, 1, 2);
        assertTrue(w.runUntil(w::allRootsAlive, 10_000));
        SimNode a = w.member(0), b = w.member(1);
        attach(a);
        a.run(() -> a.node.sendUpper(b.node.address(), new byte[] {Verb.FRAME, 1}));
        assertTrue(w.runUntil(() -> b.node.count(NodeCounter.UNSUPPORTED_VERB) == 1, 10_000), () -> b.node.counters().toString());
        assertTrue(w.runUntil(() -> a.node.count(NodeCounter.ERROR_RECEIVED) == 1, 5_000), "the ERROR in re FRAME reaches a's layer");
    }

    @Test
    void misuseIsRefusedWithAClearMessage() {
        World w = new World(13, 1, 1);
        SimNode a = w.member(0);
        Recorder r = attach(a);
        Address other = new Address(0x1122334455L);
        assertThrows(IllegalStateException.class, () -> a.node.attach(r));
        assertThrows(IllegalArgumentException.class, () -> a.node.sendUpper(other, new byte[0]));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> a.node.sendUpper(other, new byte[] {Verb.HELLO}))
                .getMessage().contains("HELLO"));
        assertThrows(IllegalArgumentException.class, () -> a.node.sendUpper(other, new byte[Vl1Limits.MAX_VL1_MESSAGE + 1]));
    }
}
