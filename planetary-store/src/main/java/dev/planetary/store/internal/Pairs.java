package dev.planetary.store.internal;

import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.RatchetUpdate;
import dev.planetary.zssp.internal.RatchetTable;
import java.util.Objects;

/** Shared rules of all stores: §8.1 pair equality, argument checks and the column encoding. */
public final class Pairs {
    public static final int FINGERPRINT_SIZE = 32;
    private static final byte[] ZERO = new byte[FINGERPRINT_SIZE];

    private Pairs() {}

    /** §8.1: same fingerprint (constant time) and chain; no state equals only no state. */
    public static boolean same(RatchetState a, RatchetState b) {
        return a == null ? b == null : a.equals(b);
    }

    /** Whether the stored pair ({@code null} = no record = {@code (EMPTY, none)}) is the update's current pair. */
    public static boolean matches(RatchetPair stored, RatchetUpdate u) {
        return RatchetTable.matches(stored, u);
    }

    public static void check(RatchetUpdate u) {
        Objects.requireNonNull(u, "update");
        Objects.requireNonNull(u.new1(), "update.new1 (use RatchetState.EMPTY)");
        Objects.requireNonNull(u.current1(), "update.current1 (use RatchetState.EMPTY)");
    }

    /** Fingerprint lookups: 32 bytes; returns false for the empty fingerprint, which is never indexed. */
    public static boolean indexable(byte[] fingerprint) {
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (fingerprint.length != FINGERPRINT_SIZE) {
            throw new IllegalArgumentException("a ratchet fingerprint is 32 bytes, got " + fingerprint.length);
        }
        int acc = 0;
        for (byte b : fingerprint) acc |= b;
        return acc != 0;
    }

    /** The fingerprint column value: NULL for the empty fingerprint, so that it is never indexed. */
    public static byte[] fingerprintColumn(RatchetState s) {
        return s == null || s.isEmpty() ? null : s.fingerprint();
    }

    /** Rebuilds a state from its columns ({@code fingerprint == null} means the all-zero fingerprint). */
    public static RatchetState state(byte[] key, byte[] fingerprint, long chain) {
        return new RatchetState(key, fingerprint == null ? ZERO : fingerprint, chain);
    }
}
