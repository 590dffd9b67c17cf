package dev.planetary.zssp;

import static dev.planetary.zssp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.zssp.testing.Vectors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Two in-process contexts (Alice, Bob) driven through the steps of {@code session_vectors.json}
 * exactly as the Rust reference was: same clock, same randomness, packets delivered by hand. Every
 * datagram sent and every result is compared with the recording.
 */
final class ReplayWorld {
    static final String ALICE = "alice";
    static final String BOB = "bob";

    /** A remote that records what the engine sends. */
    static final class Wire implements Remote {
        int mtu = 1280;
        byte[] address = new byte[0];
        final List<byte[]> sent = new ArrayList<>();

        @Override
        public void send(byte[] datagram, int off, int len) {
            byte[] copy = new byte[len];
            System.arraycopy(datagram, off, copy, 0, len);
            sent.add(copy);
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public byte[] addressBytes() {
            return address;
        }
    }

    final JsonNode vectors = Vectors.sessions();
    final JsonNode packets = vectors.get("packets");
    long clock;
    final Map<String, ReplayRandom> rng = new HashMap<>();
    final Map<String, ReplayApplication> app = new HashMap<>();
    final Map<String, Context<String>> ctx = new HashMap<>();
    final Map<String, Wire> wire = new HashMap<>();
    final Map<String, Session<String>> session = new HashMap<>();
    final Map<String, StaticKeyPair> keys = new HashMap<>();
    /** Results of the last step (for tests that deviate and inspect). */
    Received<String> lastResult;
    int stepsReplayed;
    int datagramsCompared;

    /** @param prefix "" for world 1, "challenge_" for world 2 */
    ReplayWorld(String prefix, long startClock) {
        clock = startClock;
        for (String who : new String[] {ALICE, BOB}) {
            JsonNode sk = null;
            for (JsonNode k : vectors.get("static_keys")) if (k.get("context_rng").get("rng").asText().equals(prefix + who + "_ctx")) sk = k;
            StaticKeyPair kp = StaticKeyPair.fromScalar(hex(sk.get("private_scalar")));
            assertEquals(sk.get("public_compressed").asText(), kp.publicKey().toHex(), who + " static public key");
            keys.put(who, kp);
            ReplayRandom r = new ReplayRandom(prefix + who + "_ctx", vectors.get("rng").get(prefix + who + "_ctx"));
            r.step("setup/" + who + "_context", true);
            rng.put(who, r);
            ReplayApplication a = new ReplayApplication(who, () -> clock);
            app.put(who, a);
            ctx.put(who, new Context<>(kp, a, Settings.defaults(), r));
            assertEquals(0, r.remaining(), who + " context setup draws");
            Wire w = new Wire();
            wire.put(who, w);
        }
        long addr = vectors.get("challenge_remote_address_u64").asLong();
        byte[] le = new byte[8];
        for (int i = 0; i < 8; i++) le[i] = (byte) (addr >>> (8 * i)); // Rust's Hash of a u64: 8 bytes little-endian
        wire.get(BOB).address = le;
    }

    static String other(String who) {
        return who.equals(ALICE) ? BOB : ALICE;
    }

    /** Runs one recorded step; {@code strict} compares everything with the recording. */
    void run(JsonNode step, boolean strict) {
        JsonNode action = step.get("action");
        if (action.has("advance_clock_ms")) {
            clock += action.get("advance_clock_ms").asLong();
            assertEquals(step.get("time_ms").asLong(), clock, "clock");
            return;
        }
        String name = step.get("step").asText();
        String who = step.get("actor").asText();
        assertEquals(step.get("time_ms").asLong(), clock, name + " clock");
        rng.get(who).step(name, strict);
        app.get(who).step(step, strict);
        Wire w = wire.get(who);
        w.mtu = action.get("mtu").asInt();
        w.sent.clear();
        String call = action.get("call").asText();
        String result;
        switch (call) {
            case "Context::open" -> {
                try {
                    session.put(who, ctx.get(who).open(keys.get(other(who)).publicKey(), "peer", hex(action.get("identity_hex")), w));
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
                result = "\"Ok(session)\"";
            }
            case "Context::receive" -> {
                JsonNode in = step.get("input_packets");
                assertEquals(1, in.size(), name + ": one datagram per receive");
                byte[] datagram = hex(packets.get(in.get(0).asInt()).get("wire_hex"));
                lastResult = ctx.get(who).receive(datagram, w);
                if (lastResult instanceof Event.NewSession<String> e) session.put(who, e.session());
                if (lastResult instanceof Event.NewDowngradedSession<String> e) session.put(who, e.session());
                result = describe(lastResult);
            }
            case "Context::send" -> {
                try {
                    session.get(who).send(hex(action.get("payload_hex")));
                    result = "\"Ok\"";
                } catch (DataTooLargeException e) {
                    result = "{\"err\":\"DataTooLarge\"}";
                }
            }
            case "Context::service" -> result = "{\"next_service_in_ms\":" + ctx.get(who).service() + "}";
            default -> throw new AssertionError("unknown call " + call);
        }
        assertEquals(0, ctx.get(who).internalErrorCount(), name + ": internal error " + ctx.get(who).lastInternalError());
        if (!strict) return;
        stepsReplayed++;
        JsonNode expected = step.get("result");
        assertEquals(normalise(expected), result, name + " result");
        JsonNode outs = step.get("output_packets");
        List<String> want = new ArrayList<>();
        if (outs != null) for (JsonNode o : outs) want.add(packets.get(o.asInt()).get("wire_hex").asText());
        List<String> got = new ArrayList<>();
        for (byte[] b : w.sent) got.add(HexFormat.of().formatHex(b));
        assertEquals(want.size(), got.size(), name + ": number of datagrams sent");
        for (int i = 0; i < want.size(); i++) {
            if (!want.get(i).equals(got.get(i))) {
                StringBuilder diff = new StringBuilder();
                for (int j = 0; j < Math.min(want.get(i).length(), got.get(i).length()) / 2; j++) {
                    if (!want.get(i).substring(2 * j, 2 * j + 2).equals(got.get(i).substring(2 * j, 2 * j + 2))) diff.append(j).append(' ');
                }
                System.err.println(name + ": datagram " + i + " differs at bytes " + (diff.length() > 200 ? diff.substring(0, 200) + "…" : diff));
            }
            assertEquals(want.get(i), got.get(i), name + ": datagram " + i);
        }
        datagramsCompared += want.size();
        assertEquals(0, rng.get(who).remaining(), name + ": recorded random draws not consumed");
        assertEquals(0, app.get(who).remaining(), name + ": recorded callbacks not made");
    }

    /** Our result in the recording's JSON form (errors reduced to fault and naturalness). */
    static String describe(Received<String> r) {
        if (r instanceof Received.Pending) return "{\"ok\":\"Unassociated\"}";
        if (r instanceof Received.Dropped<String> d) {
            String fault = switch (d.fault()) {
                case INVALID_PACKET -> "InvalidPacket";
                case FAILED_AUTH, REJECTED, CHALLENGE_ISSUED, CHALLENGE_LIMITED -> "FailedAuth"; // the reference reports these as FailedAuth (§11.2)
                case UNKNOWN_LOCAL_KEY_ID -> "UnknownLocalKeyId";
                case EXPIRED_COUNTER -> "ExpiredCounter";
                case OUT_OF_SEQUENCE -> "OutOfSequence";
                case STORAGE_ERROR -> "StorageError";
                case HELLO_NOT_ADMITTED -> "NotAdmitted"; // an application hook the reference lacks: never in a recording
                case INTERNAL -> "Internal(" + d.reason() + ")"; // never in a recording: fails the comparison
            };
            return "{\"err\":{\"fault\":\"" + fault + "\",\"unnatural\":" + !d.natural() + "}}";
        }
        if (r instanceof Event.Data<String> d) {
            return "{\"data_hex\":\"" + d.payloadHex() + "\",\"event\":\"Data(" + d.payload().length + " bytes)\",\"ok\":\"Session\"}";
        }
        String event = switch ((Event<String>) r) {
            case Event.NewSession<String> e -> "NewSession";
            case Event.NewDowngradedSession<String> e -> "NewDowngradedSession";
            case Event.Established<String> e -> "Established";
            case Event.Rejected<String> e -> "Rejected";
            case Event.DowngradedRatchetKey<String> e -> "DowngradedRatchetKey";
            case Event.RekeyCompleted<String> e -> "Control"; // the reference reports this as Control
            case Event.Control<String> e -> "Control";
            case Event.Data<String> e -> throw new IllegalStateException();
        };
        return "{\"event\":\"" + event + "\",\"ok\":\"Session\"}";
    }

    private static String normalise(JsonNode expected) {
        if (expected.has("err") && expected.get("err").isObject()) {
            JsonNode e = expected.get("err");
            return "{\"err\":{\"fault\":\"" + e.get("fault").asText() + "\",\"unnatural\":" + e.get("unnatural").asBoolean() + "}}";
        }
        return expected.toString();
    }

    List<JsonNode> steps(String... scenarios) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode s : vectors.get("steps")) {
            for (String sc : scenarios) if (s.get("scenario").asText().equals(sc)) out.add(s);
        }
        assertTrue(!out.isEmpty());
        return out;
    }

    static void check(boolean condition, String message) {
        if (!condition) fail(message);
    }

    static void assertEvent(Class<?> type, Received<String> r) {
        assertInstanceOf(type, r, () -> "got " + r);
    }

    static void sameBytes(byte[] a, byte[] b, String what) {
        assertArrayEquals(a, b, what);
    }
}
