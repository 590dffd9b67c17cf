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
        rules(in);
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

    // the rules engine (§11.3) on the same bytes as an Ethernet payload, under every ethertype it parses
    private static final dev.planetary.vl2.rules.FrameFields FIELDS = new dev.planetary.vl2.rules.FrameFields();
    private static final dev.planetary.nic.NetworkId FUZZ_NWID = new dev.planetary.nic.NetworkId(0x8056c2e21c000001L);
    private static final dev.planetary.vl2.rules.Subject FUZZ_MEMBER = dev.planetary.vl2.rules.Subject.of(
            new dev.planetary.identity.Address(0x1122334455L), java.util.List.of(new Tag(1, 2)), java.util.List.of(1L), java.util.List.of());
    private static final dev.planetary.vl2.rules.RuleSet FUZZ_RULES = dev.planetary.vl2.rules.RuleSet.of(FUZZ_NWID,
            new dev.planetary.vl2.rules.RuleBuilder().vlanId(1).not().ipProtocol(6).breakRules().icmp(8, 0).ipTos(0xff, 1, 9).drop()
                    .sourcePorts(0, 1023).not().destPorts(22, 22).accept().characteristics(-1L).frameSize(0, 60).tagSender(1, 2).drop()
                    .ipv6Source(ipv6("fd00::"), 8).macSource(0).breakRules().build(),
            java.util.List.of(new Capability(1, new dev.planetary.vl2.rules.RuleBuilder().ipv4Dest(ipv4("10.0.0.0"), 8).accept().build())),
            java.util.List.of());

    private static void rules(byte[] in) {
        for (int ethertype : new int[] {0x0800, 0x86dd, 0x0806, 0x8100}) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(in);
            dev.planetary.vl2.rules.Rules.decide(FUZZ_RULES, FIELDS.parse(0xffff_ffff_ffffL, 0x32_11_22_33_44_55L, ethertype, b), ethertype == 0x0806,
                    FUZZ_MEMBER, FUZZ_MEMBER);
            if (b.position() != 0) throw new AssertionError("the frame parser moved the buffer");
        }
    }

    private static java.net.Inet6Address ipv6(String s) {
        return (java.net.Inet6Address) Fixtures.ip(s);
    }

    private static java.net.Inet4Address ipv4(String s) {
        return (java.net.Inet4Address) Fixtures.ip(s);
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

    @FuzzTest(maxDuration = "6s")
    void decodeMessage(FuzzedDataProvider data) {
        messages(data);
    }

}
