package dev.planetary.seqex;

import java.lang.invoke.MethodHandles;
import java.lang.ref.SoftReference;
import java.lang.invoke.VarHandle;

/**
 * The arrays of sent payload packets, reused once a packet is acknowledged and its last transmission
 * has left (docs/seqex.md "Pooled packets"): a bulk sender then copies each payload into warm memory
 * instead of a freshly allocated 64 KiB array. Bounded: at most {@link #KEPT} idle arrays per endpoint;
 * beyond that an array is left to the garbage collector, and an empty pool allocates. The idle arrays
 * are held softly, so an endpoint that moved bulk data once and then idles gives them back when the
 * heap needs the room (many such sessions would otherwise pin 1 MiB each). Thread-safe
 * (the endpoint takes under its lock, the thread that sent a packet's last transmission gives back).
 */
final class PacketPool {
    /** Idle arrays kept per endpoint (16 × 64 KiB = 1 MiB at the largest packet size). */
    static final int KEPT = 16;

    private final int size;
    // the idle arrays, held softly (see the class comment); count is how many of free's slots are taken
    private SoftReference<byte[][]> idle = new SoftReference<>(new byte[KEPT][]);
    private int count;
    private long allocated;
    private long reused;

    /** @param size the array length: the endpoint's largest packet */
    PacketPool(int size) {
        this.size = size;
    }

    /** The array length of the pooled packets; a packet longer than this gets an array of its own. */
    int size() {
        return size;
    }

    /**
     * Whether a packet of {@code length} bytes is worth a pooled array: at least a quarter of its size
     * (a bulk packet). A small one (control, a short read) gets an exact array of its own, which costs
     * little to allocate, instead of pinning a whole pooled array while in flight.
     */
    boolean pools(int length) {
        return length <= size && length >= size / 4;
    }

    /** A packet of {@code length} bytes in an idle array, or a new one; its single owner is the send window. */
    OutPacket take(int length) {
        if (length > size) throw new IllegalArgumentException("packet of " + length + " bytes exceeds the pool's " + size);
        byte[] b;
        synchronized (this) {
            byte[][] free = idle.get();
            if (free != null && count > 0) {
                b = free[--count];
                free[count] = null;
                reused++;
            } else {
                b = null;
                allocated++;
            }
        }
        return new OutPacket(b == null ? new byte[size] : b, length, this);
    }

    private synchronized void give(byte[] b) {
        byte[][] free = idle.get();
        if (free == null) { // the collector took the idle arrays back: start a new set
            idle = new SoftReference<>(free = new byte[KEPT][]);
            count = 0;
        }
        if (count < KEPT) free[count++] = b;
    }

    /** Idle arrays in the pool (tests). */
    synchronized int idle() {
        return idle.get() == null ? 0 : count;
    }

    /** As if the collector had cleared the soft reference to the idle arrays (tests). */
    synchronized void dropIdle() {
        idle.clear();
    }

    /** Arrays allocated because the pool was empty (tests). */
    synchronized long allocated() {
        return allocated;
    }

    /** Packets that reused an idle array (tests). */
    synchronized long reused() {
        return reused;
    }

    /**
     * One sent payload packet, {@code bytes[0, length)}, in a pooled array. Its owners are the send
     * window (until the packet leaves it: acknowledged, answered, or the endpoint closed) and each
     * transmission queued but not yet handed to the carrier; the array goes back to the pool when the
     * last owner releases it, never earlier, so it is never overwritten while it is being encrypted.
     */
    static final class OutPacket {
        private static final VarHandle OWNERS;

        static {
            try {
                OWNERS = MethodHandles.lookup().findVarHandle(OutPacket.class, "owners", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final byte[] bytes;
        final int length;
        private final PacketPool pool;
        @SuppressWarnings("unused") // through OWNERS
        private volatile int owners = 1;

        private OutPacket(byte[] bytes, int length, PacketPool pool) {
            this.bytes = bytes;
            this.length = length;
            this.pool = pool;
        }

        /** One more owner: a transmission queued to be sent after the endpoint's lock is released. */
        void pin() {
            OWNERS.getAndAdd(this, 1);
        }

        /** An owner is done with it (the send window dropped it, or a queued transmission was sent). */
        void release() {
            int left = (int) OWNERS.getAndAdd(this, -1) - 1;
            if (left == 0) pool.give(bytes);
            else if (left < 0) throw new IllegalStateException("packet released more often than owned");
        }
    }
}
