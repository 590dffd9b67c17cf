package dev.planetary.vl2;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Pso;
import dev.planetary.identity.Rejection;
import dev.planetary.identity.Tlv;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;

/** Builds correctly signed PSOs with hostile bodies (field edits a real controller would refuse to make). */
public final class Hostile {
    private Hostile() {}

    /** Every type known, any length, repeatable: lets {@link Pso#sign} sign anything well-framed. */
    static final Tlv.Schema LOOSE = Tlv.Schema.of(IntStream.range(0, 256)
            .mapToObj(t -> new Tlv.Definition(t, 0, Tlv.MAX_VALUE, true)).toArray(Tlv.Definition[]::new));

    /** The fields of a body: type → values in order. */
    static TreeMap<Integer, List<byte[]>> fields(byte[] body) {
        TreeMap<Integer, List<byte[]>> m = new TreeMap<>();
        for (Tlv.Field f : Tlv.read(body, 0, body.length, LOOSE).orThrow()) m.computeIfAbsent(f.type(), k -> new ArrayList<>()).add(f.value());
        return m;
    }

    static byte[] tlv(int type, byte[] value) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(type);
        o.write(value.length >>> 8);
        o.write(value.length);
        o.writeBytes(value);
        return o.toByteArray();
    }

    static byte[] body(Map<Integer, List<byte[]>> fields) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        fields.forEach((t, vs) -> vs.forEach(v -> o.writeBytes(tlv(t, v))));
        return o.toByteArray();
    }

    static byte[] sign(int type, byte[] body) {
        return Pso.sign(Fixtures.controller(), type, Fixtures.TS, body, LOOSE).encoded();
    }

    /** A PSO (§2.8 layout) over any body bytes, even ones {@link Pso#sign} refuses, correctly signed. */
    static byte[] signRaw(int type, byte[] body) {
        return signRaw(Fixtures.controller(), Fixtures.TS, type, body);
    }

    /** As {@link #signRaw(int, byte[])}, signed by {@code issuer} at {@code ts} (the node-level sim tests use it). */
    public static byte[] signRaw(dev.planetary.identity.SecretIdentity issuer, long ts, int type, byte[] body) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Pso.HEADER + body.length + 96);
        b.put(Pso.MAGIC).put((byte) type).put((byte) Pso.VERSION).put(issuer.fingerprint().toBytes())
                .putLong(ts).putInt(body.length).put(body);
        b.put(issuer.sign(java.util.Arrays.copyOf(b.array(), Pso.HEADER + body.length)));
        return b.array();
    }

    /** Signs {@code valid}'s body after {@code edit} and parses it with {@code parser}. */
    static <T> Decoded<T> edited(int type, byte[] validBody, Consumer<TreeMap<Integer, List<byte[]>>> edit, Function<byte[], Decoded<T>> parser) {
        TreeMap<Integer, List<byte[]>> f = fields(validBody);
        edit.accept(f);
        return parser.apply(sign(type, body(f)));
    }

    static void set(TreeMap<Integer, List<byte[]>> f, int type, byte[]... values) {
        f.put(type, new ArrayList<>(List.of(values)));
    }

    static <T> Decoded.Invalid<T> assertInvalid(Decoded<T> d, String what) {
        @SuppressWarnings("unchecked")
        Decoded.Invalid<T> inv = assertInstanceOf(Decoded.Invalid.class, d, () -> what + ": accepted " + d);
        assertFalse(inv.detail().startsWith("internal error"), () -> what + ": " + inv.detail());
        return inv;
    }

    static <T> void assertInvalid(Decoded<T> d, Rejection reason, String what) {
        Decoded.Invalid<T> inv = assertInvalid(d, what);
        if (inv.reason() != reason) throw new AssertionError(what + ": rejected as " + inv.reason() + " (" + inv.detail() + "), expected " + reason);
    }
}
