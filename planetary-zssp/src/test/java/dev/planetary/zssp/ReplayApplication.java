package dev.planetary.zssp;

import static dev.planetary.zssp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The application side of a vector replay. In strict mode each callback must be the next one the
 * reference made in this step, with the same arguments, and it returns what the reference's
 * application returned. Throughout, a live in-memory store mirrors what the reference's store held
 * (recorded restores are taken as truth; successful saves are applied), so that after a deliberate
 * deviation (non-strict mode) the engine runs on against a faithful store.
 */
final class ReplayApplication implements Application<String> {
    private final String actor;
    private final LongSupplier clock;
    private final ArrayDeque<JsonNode> expected = new ArrayDeque<>();
    private boolean strict = true;
    final Map<String, RatchetPair> byPeer = new HashMap<>();
    final Map<String, RatchetState> byFingerprint = new HashMap<>();
    final List<String> calls = new ArrayList<>();

    ReplayApplication(String actor, LongSupplier clock) {
        this.actor = actor;
        this.clock = clock;
    }

    void step(JsonNode step, boolean strict) {
        expected.clear();
        this.strict = strict;
        calls.clear();
        JsonNode cbs = step.get("app_callbacks");
        if (cbs != null) for (JsonNode c : cbs) if (actor.equals(c.get("actor").asText())) expected.add(c);
    }

    int remaining() {
        return strict ? expected.size() : 0;
    }

    private JsonNode expect(String fn) {
        calls.add(fn);
        if (!strict) return null;
        JsonNode c = expected.poll();
        assertNotNull(c, actor + ": unexpected callback " + fn);
        assertEquals(c.get("fn").asText(), fn, actor + ": callback order");
        return c;
    }

    static RatchetState state(JsonNode n) {
        if (n == null || n.isNull()) return null;
        return new RatchetState(hex(n.get("key")), hex(n.get("fingerprint")), n.get("chain_len").asLong());
    }

    private static String hexOf(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    private void index(RatchetState s) {
        if (s != null && !s.isEmpty()) byFingerprint.put(hexOf(s.fingerprint()), s);
    }

    @Override
    public long time() {
        return clock.getAsLong();
    }

    @Override
    public boolean helloRequiresRecognizedRatchet() {
        JsonNode c = expect("hello_requires_recognized_ratchet");
        return c != null && c.get("returned").asBoolean();
    }

    @Override
    public boolean initiatorDisallowsDowngrade(Session<String> session) {
        JsonNode c = expect("initiator_disallows_downgrade");
        return c != null && c.get("returned").asBoolean();
    }

    @Override
    public AcceptDecision<String> checkAcceptSession(StaticPublicKey remoteStatic, byte[] identity, Remote source) {
        JsonNode c = expect("check_accept_session");
        if (c == null) return AcceptDecision.accept("peer:" + remoteStatic.toHex(), false, false);
        assertEquals(c.get("remote_static").asText(), remoteStatic.toHex(), "check_accept_session peer");
        assertEquals(c.get("identity").asText(), hexOf(identity), "check_accept_session identity");
        return c.get("accept").asBoolean() ? AcceptDecision.accept("peer:" + remoteStatic.toHex(), false, false) : AcceptDecision.reject(false);
    }

    @Override
    public RatchetState restoreByFingerprint(byte[] fingerprint) {
        JsonNode c = expect("restore_by_fingerprint");
        if (c == null) return byFingerprint.get(hexOf(fingerprint));
        assertEquals(c.get("fingerprint").asText(), hexOf(fingerprint), "restore_by_fingerprint argument");
        if (!c.get("found").asBoolean()) return null;
        RatchetState s = new RatchetState(hex(c.get("key")), fingerprint, c.get("chain_len").asLong());
        index(s);
        return s;
    }

    @Override
    public RatchetPair restoreByIdentity(StaticPublicKey remoteStatic, String sessionData) {
        JsonNode c = expect("restore_by_identity");
        if (c == null) return byPeer.get(remoteStatic.toHex());
        assertEquals(c.get("remote_static").asText(), remoteStatic.toHex(), "restore_by_identity peer");
        if (!c.get("found").asBoolean()) return null;
        RatchetPair p = new RatchetPair(state(c.get("state1")), state(c.get("state2")));
        byPeer.put(remoteStatic.toHex(), p);
        index(p.state1());
        index(p.state2());
        return p;
    }

    @Override
    public boolean saveRatchetState(StaticPublicKey remoteStatic, String sessionData, RatchetUpdate u) {
        JsonNode c = expect("save_ratchet_state");
        boolean ok;
        if (c != null) {
            assertSame("new_state1", c.get("new_state1"), u.new1());
            assertSame("new_state2", c.get("new_state2"), u.new2());
            assertSame("cur_state1", c.get("cur_state1"), u.current1());
            assertSame("cur_state2", c.get("cur_state2"), u.current2());
            ok = c.get("ok").asBoolean();
        } else {
            RatchetPair stored = byPeer.getOrDefault(remoteStatic.toHex(), RatchetPair.INITIAL);
            ok = stored.state1().equals(u.current1()) && RatchetState.same(stored.state2(), u.current2());
        }
        if (ok) {
            byPeer.put(remoteStatic.toHex(), new RatchetPair(u.new1(), u.new2()));
            index(u.new1());
            index(u.new2());
        }
        return ok;
    }

    private static void assertSame(String what, JsonNode expected, RatchetState actual) {
        RatchetState e = state(expected);
        if (e == null) {
            assertEquals(null, actual, what);
            return;
        }
        assertNotNull(actual, what);
        assertEquals(e.chainLength(), actual.chainLength(), what + " chain");
        assertArrayEquals(e.fingerprint(), actual.fingerprint(), what + " fingerprint");
        assertArrayEquals(e.key(), actual.key(), what + " key");
    }
}
