package dev.planetary.zssp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.planetary.zssp.crypto.HeaderCipher;
import java.util.List;

/**
 * Fuzzes {@link Context#receive} and {@link Context#receiveOrDefer} of contexts holding an established (rekeyed) session, a session
 * offering a Hello and a pending responder handshake, with arbitrary datagrams in arbitrary order:
 * raw bytes, mutated legitimate datagrams, and datagrams whose headers are correctly protected
 * for a live key id (so the fuzzer reaches reassembly and dispatch). Invariants: never an internal
 * error, never an exception, a deferred datagram unchanged, memory bounded (key ids, pending handshakes, sessions).
 *
 * <p>Long run: {@code ./build fuzz ReceivePathFuzzTest 600}.
 */
class ReceivePathFuzzTest {
    private static FuzzWorld world;

    static synchronized FuzzWorld world() {
        if (world == null || world.alice.sessions().isEmpty()) world = new FuzzWorld();
        return world;
    }

    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        FuzzWorld w = world();
        int ops = data.consumeInt(1, 16);
        for (int i = 0; i < ops && data.remainingBytes() > 0; i++) {
            boolean toBob = data.consumeBoolean();
            Context<String> ctx = toBob ? w.bob : w.alice;
            FuzzWorld.Link reply = toBob ? w.toAlice : w.toBob;
            byte[] d;
            switch (data.consumeInt(0, 3)) {
                case 0 -> d = data.consumeBytes(data.consumeInt(0, 1800));
                case 1 -> { // a legitimate datagram with a few mutations
                    List<byte[]> seen = toBob ? w.seenByBob : w.seenByAlice;
                    d = seen.get(data.consumeInt(0, seen.size() - 1)).clone();
                    int flips = data.consumeInt(0, 4);
                    for (int f = 0; f < flips && d.length > 0; f++) d[data.consumeInt(0, d.length - 1)] ^= (byte) data.consumeInt(1, 255);
                    if (data.consumeBoolean() && d.length > 0) d = java.util.Arrays.copyOf(d, data.consumeInt(0, d.length));
                }
                default -> { // a correctly protected header for a live key id, arbitrary everything else
                    List<Object[]> targets = w.targets(ctx);
                    if (targets.isEmpty()) continue;
                    Object[] t = targets.get(data.consumeInt(0, targets.size() - 1));
                    int count = data.consumeInt(0, 50);
                    d = FuzzWorld.forge((Integer) t[0], (HeaderCipher) t[1], data.consumeInt(0, 50), count,
                            data.consumeInt(0, 12), data.consumeLong(), data.consumeBytes(data.consumeInt(0, 700)));
                }
            }
            if (data.consumeBoolean()) ctx.receive(d, reply);
            else receiveOnPlane(ctx, d, reply, data.consumeBoolean());
            if (data.consumeBoolean()) {
                w.aliceApp.now += data.consumeInt(0, 20_000);
                w.bobApp.now = w.aliceApp.now;
                w.alice.service();
                w.bob.service();
            }
            check(w.alice);
            check(w.bob);
        }
    }

    /** As a transport's receive thread does: {@link Context#receiveOrDefer}, then {@code receive} if deferred. */
    private static void receiveOnPlane(Context<String> ctx, byte[] d, FuzzWorld.Link reply, boolean deferData) {
        byte[] before = d.clone();
        if (ctx.receiveOrDefer(d, 0, d.length, reply, kid -> deferData) instanceof Triage.Deferred<String>) {
            if (!java.util.Arrays.equals(before, d)) throw new AssertionError("a deferred datagram changed");
            ctx.receive(d, reply);
        }
    }

    private static void check(Context<String> ctx) {
        if (ctx.internalErrorCount() != 0) throw new AssertionError("internal error", ctx.lastInternalError());
        if (ctx.pendingHandshakes() > ctx.settings().maxPendingHandshakes()) throw new AssertionError("pending handshakes above the cap");
        if (ctx.kids.size() > 3 * ctx.sessions().size() + ctx.pendingHandshakes() + 2) throw new AssertionError("key ids leak: " + ctx.kids.size());
    }

    @FuzzTest(maxDuration = "10s")
    void receive(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}
