package dev.planetary.zssp.crypto;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.security.GeneralSecurityException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;

/**
 * An AES-256 key that is its own JCA {@link SecretKey} (the 32 bytes in four longs: no separate
 * {@code SecretKeySpec} and array per key — a session holds six keys, so this matters at a million
 * sessions) and that keeps initialised JCA {@link Cipher} objects, so that a packet does not pay for the AES key
 * schedule (and, for GCM, the GHASH tables) every time the key differs from the previous packet's.
 * The JDK only skips that work when a Cipher is re-initialised with the key it used last; with one
 * shared Cipher per thread, traffic over many sessions alternates keys on every packet (measured:
 * ≈ 0.45–1.4 µs per packet of key setup).
 *
 * <p>Key classes extend this class, so the two slots cost no extra object per key. Each key holds
 * at most two Ciphers (two threads may use one session's key at once) in
 * lock-free slots; a platform thread also keeps the Ciphers of the last keys it used ({@link Held}). A global budget ({@code -Dplanetary.cipherCache}, default 32768 Ciphers, about
 * 1.3 KB each) bounds the memory: past it, callers use the per-thread shared Cipher and pay the key
 * setup as before. Ciphers are returned to the budget when their key is destroyed.
 *
 * <p>Idle keys hold no Cipher (docs/architecture.md, "Memory per session"): a Cipher with its
 * expanded key schedules is ≈ 0.7–1.3 KB, a session has six keys, and most sessions at a root are
 * idle (a heartbeat every few seconds). So a key earns a Cipher of its own only on its second use
 * within one sweep period (the first runs on the thread's shared Cipher, as past the budget), and
 * the engine's periodic sweep ({@link #dropIdleCiphers}) takes back the Ciphers of keys unused for
 * a whole period. A key used once per handshake or rekey (the Noise keys, the KEKs) or once per
 * heartbeat never builds one.
 */
abstract class AesKey implements SecretKey {
    private static final long serialVersionUID = 1L;
    static final int BUDGET = Integer.getInteger("planetary.cipherCache", 32_768);
    private static final AtomicInteger LIVE = new AtomicInteger();
    private static final VarHandle SLOT0;
    private static final VarHandle SLOT1;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SLOT0 = l.findVarHandle(AesKey.class, "slot0", Cipher.class);
            SLOT1 = l.findVarHandle(AesKey.class, "slot1", Cipher.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through SLOT0
    private transient volatile Cipher slot0;
    @SuppressWarnings("unused") // accessed through SLOT1
    private transient volatile Cipher slot1;
    private long k0;
    private long k1;
    private long k2;
    private long k3;
    private volatile boolean destroyed;
    /**
     * Used since the last {@link #dropIdleCiphers} (the reference bit of a CLOCK sweep): set when
     * the key runs on the shared fallback or puts a Cipher back into its slots, cleared by the
     * sweep. A plain field: a lost update costs at most one Cipher rebuilt or one more packet on the
     * fallback. One byte in the object's alignment padding, like {@link #home}.
     */
    private boolean recent;

    /** Copies the 32 key bytes at {@code key[off..off+32)}. */
    AesKey(byte[] key, int off) {
        java.util.Objects.checkFromIndexSize(off, 32, key.length);
        k0 = Bytes.getLong(key, off);
        k1 = Bytes.getLong(key, off + 8);
        k2 = Bytes.getLong(key, off + 16);
        k3 = Bytes.getLong(key, off + 24);
    }

    /** The JCA transformation of this key's Ciphers. */
    abstract String transformation();

    /**
     * A Cipher reserved for this key, or null when the global budget is spent (use a shared one
     * then). On a platform thread the Cipher stays with the thread after {@link #release} (see
     * {@link Held}), so a thread that keeps using the key touches none of the key's shared fields.
     * A Cipher new to this key has been through {@link #prepare}.
     */
    Cipher acquire() {
        Thread t = Thread.currentThread();
        if (t.isVirtual()) return acquireShared();
        Held h = HELD.get();
        int i = home;
        if (h.keys[i] == this) return h.ciphers[i];
        Cipher c = acquireShared();
        if (c == null) return null;
        AesKey evicted = h.keys[i];
        Cipher old = h.ciphers[i];
        h.keys[i] = this;
        h.ciphers[i] = c;
        if (evicted != null) evicted.release(old); // no longer thread-held: back to its key's slots
        else h.count.incrementAndGet();
        return c;
    }

    /** A Cipher from this key's two slots or a new one within the budget; null when the budget is spent. */
    private Cipher acquireShared() {
        // Plain volatile reads before the swaps: a key without Ciphers (most keys among 10^6
        // sessions) then costs no atomic write to its cache line per packet.
        Cipher c = slot0 == null ? null : (Cipher) SLOT0.getAndSet(this, null);
        if (c == null && slot1 != null) c = (Cipher) SLOT1.getAndSet(this, null);
        if (c != null) return c;
        if (!recent) { // admission: a key's first use in a sweep period runs on the thread's shared Cipher
            recent = true;
            return null;
        }
        if (!reserve()) return null;
        c = newCipher(transformation());
        try {
            prepare(c);
        } catch (GeneralSecurityException | RuntimeException e) {
            LIVE.decrementAndGet();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(transformation() + " initialisation failed", e);
        }
        return c;
    }

    /** Counts one more Cipher against the budget, first taking back those of finished threads if it is spent. */
    private static boolean reserve() {
        // A spent budget is seen with a plain read: no increment and decrement of the shared counter
        // (a contended cache line between receive threads) on every packet past the budget.
        if (LIVE.get() >= BUDGET && reclaimFinishedThreads() == 0) return false;
        if (LIVE.incrementAndGet() <= BUDGET) return true;
        LIVE.decrementAndGet();
        if (reclaimFinishedThreads() == 0) return false;
        if (LIVE.incrementAndGet() <= BUDGET) return true;
        LIVE.decrementAndGet();
        return false;
    }

    /**
     * Gives the budget back the Ciphers that finished platform threads held in their {@link Held}
     * tables (their tables have been garbage-collected). Runs only when the budget is spent.
     *
     * @return the number of Ciphers given back
     */
    static int reclaimFinishedThreads() {
        int n = 0;
        for (Reference<? extends Held> r; (r = FINISHED.poll()) != null; ) {
            HeldRef ref = (HeldRef) r;
            TABLES.remove(ref);
            int k = ref.count.get();
            LIVE.addAndGet(-k);
            n += k;
        }
        return n;
    }

    /** Readies a Cipher new to this key (e.g. a one-direction initialisation); most keys need nothing. */
    void prepare(Cipher fresh) throws GeneralSecurityException {}

    /**
     * Gives a Cipher from {@link #acquire} back: a thread-held one stays with its thread; otherwise
     * it goes to a free slot, or leaves the budget when both are taken or the key is destroyed.
     */
    void release(Cipher c) {
        if (!Thread.currentThread().isVirtual()) {
            Held h = HELD.get();
            if (h.ciphers[home] == c && h.keys[home] == this) return;
        }
        if (destroyed || !SLOT0.compareAndSet(this, null, c) && !SLOT1.compareAndSet(this, null, c)) {
            LIVE.decrementAndGet();
            return;
        }
        if (destroyed && (SLOT0.compareAndSet(this, c, null) || SLOT1.compareAndSet(this, c, null))) LIVE.decrementAndGet(); // raced with destroy()
        if (!recent) recent = true;
    }

    /**
     * One step of the idle sweep (a CLOCK sweep with second chance; docs/architecture.md, "Memory
     * per session"): a key used since the previous step only loses its reference bit; a key not used
     * since gives the Ciphers in its two slots back to the budget (a thread-held one stays with its
     * thread, at most {@code HELD_SIZE} per thread). The key itself is untouched: its next use runs
     * on the thread's shared Cipher, and a second use within one sweep period builds a Cipher again.
     * Safe to call while other threads use the key.
     *
     * @return the number of Ciphers given back
     */
    public int dropIdleCiphers() {
        if (recent) {
            recent = false;
            return 0;
        }
        int n = 0;
        if (SLOT0.getAndSet(this, null) != null) n++;
        if (SLOT1.getAndSet(this, null) != null) n++;
        if (n > 0) LIVE.addAndGet(-n);
        return n;
    }

    /**
     * The Ciphers a platform thread keeps between calls: a small direct-mapped table indexed by each
     * key's {@link #home}. Two threads using one session's keys then never write the same cache line
     * per packet (measured: with the shared slots alone, two threads on one session ran 1.13× one
     * thread). Virtual threads do not keep Ciphers (there may be millions of them). A table entry
     * is handed back to its key's slots when another key claims the entry; a destroyed key's
     * Cipher leaves the budget then. A finished thread's table is found through a weak reference
     * and its Ciphers return to the budget when the budget runs out ({@link #reclaimFinishedThreads}).
     */
    private static final class Held {
        final AesKey[] keys = new AesKey[HELD_SIZE];
        final Cipher[] ciphers = new Cipher[HELD_SIZE];
        /** Ciphers in this table (counted in the budget); given back when the thread is gone. */
        final AtomicInteger count = new AtomicInteger();

        Held() {
            TABLES.add(new HeldRef(this));
        }
    }

    /** Tells, once a thread's table is unreachable (the thread finished), how many Ciphers it held. */
    private static final class HeldRef extends WeakReference<Held> {
        final AtomicInteger count;

        HeldRef(Held table) {
            super(table, FINISHED);
            this.count = table.count;
        }
    }

    private static final ReferenceQueue<Held> FINISHED = new ReferenceQueue<>();
    private static final java.util.Set<HeldRef> TABLES = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static final int HELD_SIZE = 16; // power of two
    private static final ThreadLocal<Held> HELD = ThreadLocal.withInitial(Held::new);
    private static final AtomicInteger HOMES = new AtomicInteger();
    /**
     * This key's entry in every thread's {@link Held} table; consecutive keys get different entries.
     * A byte, so that the field fits the object's alignment padding (no bytes per session added).
     */
    private final byte home = (byte) (HOMES.getAndIncrement() & (HELD_SIZE - 1));

    /**
     * Wipes the key and drops its Ciphers: those in its two slots and the one the calling thread
     * holds for it, if any. Another thread's held Cipher leaves the budget when that thread's table
     * entry is next claimed by another key (at most {@code HELD_SIZE} per thread). The key must not
     * be used afterwards: {@link #getEncoded} refuses, so no Cipher can be initialised with it.
     */
    @Override
    public void destroy() {
        destroyed = true;
        k0 = k1 = k2 = k3 = 0;
        if (SLOT0.getAndSet(this, null) != null) LIVE.decrementAndGet();
        if (SLOT1.getAndSet(this, null) != null) LIVE.decrementAndGet();
        if (!Thread.currentThread().isVirtual()) {
            Held h = HELD.get();
            int i = home;
            if (h.keys[i] == this) {
                h.keys[i] = null;
                h.ciphers[i] = null;
                h.count.decrementAndGet();
                LIVE.decrementAndGet();
            }
        }
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public String getAlgorithm() {
        return "AES";
    }

    @Override
    public String getFormat() {
        return "RAW";
    }

    /** A fresh copy of the 32 key bytes (JCA providers call this when a Cipher is initialised). */
    @Override
    public byte[] getEncoded() {
        if (destroyed) throw new IllegalStateException("key has been destroyed");
        byte[] b = new byte[32];
        Bytes.putLong(b, 0, k0);
        Bytes.putLong(b, 8, k1);
        Bytes.putLong(b, 16, k2);
        Bytes.putLong(b, 24, k3);
        return b;
    }

    /** Ciphers currently held across all keys (for tests and metrics). */
    static int live() {
        return LIVE.get();
    }

    static Cipher newCipher(String transformation) {
        try {
            return Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation + " is not available in this JDK", e);
        }
    }
}
