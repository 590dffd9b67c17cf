package dev.planetary.vl2;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.planetary.identity.Decoded;
import dev.planetary.vl1.Vl1Limits;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Fuzzes every VL2 decoder with hostile bytes: the message codec ({@link Vl2Codec#decode}, hence each
 * message's {@code decode}), PORT_FORWARD ({@link PortForward#decode}) and the OK(GATHER) body ({@link GatherReply#decode}); {@link Vl2SignedObjectFuzzTest} runs the three signed-object parsers
 * (Jazzer fuzzes one target per JVM, so one class per target). Invariants: decoders return (never
 * throw), never take their internal-error path, never modify the input; a decoded message is canonical
 * (re-encodes to the input; NETWORK_CONFIG_REQUEST, which skips unknown optional TLVs, re-decodes
 * equal). Half the inputs start from a valid random message or signed object and are mutated, so the
 * fuzzer reaches deep fields quickly. Short run (10 s per target) in every build (tag {@code jazzer},
 * the module's {@code fuzz} surefire execution); {@link #messages} and {@link #signedObjects} are the
 * entry points for a longer run under Jazzer's own driver.
 */
class Vl2DecoderFuzzTest {
    private static byte[][] signedSeeds;

    private static synchronized byte[][] signedSeeds() {
        if (signedSeeds == null) {
            RandomObjects.signFixtures();
            Signed<MemberCredential> mc = Fixtures.credential().sign(Fixtures.controller(), Fixtures.TS);
            Signed<RevocationList> list = Fixtures.revocationList().sign(Fixtures.controller(), Fixtures.TS);
            signedSeeds = new byte[][] {mc.encoded(), list.encoded(), Fixtures.config(mc, list).sign(Fixtures.controller(), Fixtures.TS).encoded()};
        }
        return signedSeeds;
    }

    static byte[] input(FuzzedDataProvider data, byte[] valid) {
        int cut = data.consumeInt(0, valid.length);
        byte[] tail = data.consumeRemainingAsBytes();
        byte[] input = Arrays.copyOf(valid, cut + Math.min(tail.length, Vl1Limits.MAX_VL1_MESSAGE));
        for (int i = 0; i < tail.length && cut + i < input.length; i++) input[cut + i] ^= tail[i];
        return input;
    }

    public static void messages(FuzzedDataProvider data) {
        byte[] in = switch (data.consumeInt(0, 3)) {
            case 0 -> input(data, new RandomObjects(data.consumeLong()).message().encode());
            case 1 -> input(data, new RandomObjects(data.consumeLong()).portForward().encode());
            default -> data.consumeRemainingAsBytes();
        };
        byte[] copy = in.clone();
        if (GatherReply.decode(in) instanceof Decoded.Ok<GatherReply> reply && !Arrays.equals(reply.value().body(), in)) {
            throw new AssertionError("gather reply not canonical");
        } else if (GatherReply.decode(in) instanceof Decoded.Invalid<GatherReply> inv && inv.detail().startsWith("internal error")) {
            throw new AssertionError("gather reply decoder bug: " + inv.detail());
        }
        if (PortForward.decode(in) instanceof Decoded.Ok<PortForward> pf && !Arrays.equals(pf.value().encode(), in)) {
            throw new AssertionError("PORT_FORWARD not canonical: " + pf.value());
        } else if (PortForward.decode(in) instanceof Decoded.Invalid<PortForward> inv && inv.detail().startsWith("internal error")) {
            throw new AssertionError("PORT_FORWARD decoder bug: " + inv.detail());
        }
        Decoded<Vl2Message> d = Vl2Codec.decode(in);
        if (!Arrays.equals(copy, in)) throw new AssertionError("decode modified its input");
        switch (d) {
            case Decoded.Ok<Vl2Message> ok -> {
                byte[] again = ok.value().encode();
                if (ok.value() instanceof NetworkConfigRequest) {
                    if (!ok.value().equals(Vl2Codec.decode(again).orNull())) throw new AssertionError("request does not re-decode equal");
                } else if (!Arrays.equals(again, in)) {
                    throw new AssertionError("not canonical: " + ok.value());
                }
            }
            case Decoded.Invalid<Vl2Message> inv -> {
                if (inv.detail().startsWith("internal error")) throw new AssertionError("decoder bug: " + inv.detail());
            }
        }
    }

    public static void signedObjects(FuzzedDataProvider data) {
        byte[][] seeds = signedSeeds();
        byte[] in;
        if (data.consumeBoolean()) {
            // same length, a few bytes flipped: passes the PSO length checks and reaches the fields
            in = seeds[data.consumeInt(0, seeds.length - 1)].clone();
            while (data.remainingBytes() > 2) in[data.consumeInt(0, in.length - 1)] ^= data.consumeByte();
        } else {
            in = data.consumeBoolean() ? input(data, seeds[data.consumeInt(0, seeds.length - 1)]) : data.consumeRemainingAsBytes();
        }
        byte[] copy = in.clone();
        for (Function<byte[], Decoded<?>> p : Vl2PropertyTest.parsers()) {
            if (p.apply(in) instanceof Decoded.Invalid<?> inv && inv.detail().startsWith("internal error")) {
                throw new AssertionError("parser bug: " + inv.detail());
            }
        }
        if (!Arrays.equals(copy, in)) throw new AssertionError("parse modified its input");
    }

    @FuzzTest(maxDuration = "10s")
    void decodeMessage(FuzzedDataProvider data) {
        messages(data);
    }

}
