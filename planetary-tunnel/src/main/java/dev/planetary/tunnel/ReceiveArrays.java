package dev.planetary.tunnel;

import java.lang.ref.SoftReference;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The arrays a tunnel session's payloads are decrypted into (issue 19, seventh round): ZSSP takes one
 * per DATA packet ({@link dev.planetary.transport.PeerSession#receiveArrays}) and SEQEX gives it back
 * once the payload was written to the stream's socket ({@link dev.planetary.seqex.Seqex#recycleReceived}),
 * so the bulk path decrypts into warm memory instead of a freshly zeroed 64 KiB array. Only arrays of
 * the largest length asked for are kept (a bulk transfer's packets all have it), at most {@link #KEPT};
 * any other length is a new array. The idle arrays are held softly: a session that moved bulk data
 * once and then idles gives them back when the heap needs the room. Thread-safe: the receive thread takes, whichever thread runs a
 * stream's write turn gives back.
 */
final class ReceiveArrays implements IntFunction<byte[]>, Consumer<byte[]> {
    /** Idle arrays kept per tunnel session (16 × 64 KiB = 1 MiB at the largest packet). */
    static final int KEPT = 16;

    private SoftReference<byte[][]> idle = new SoftReference<>(new byte[KEPT][]); // count of its slots taken
    private int count;
    private int size;
    private long reused;

    /** An array of exactly {@code length} bytes: an idle one of that length, or a new one. */
    @Override
    public byte[] apply(int length) {
        synchronized (this) {
            byte[][] free = idle.get();
            if (length > size) { // a larger packet size: the idle arrays no longer fit
                size = length;
                if (free != null) java.util.Arrays.fill(free, 0, count, null);
                count = 0;
            } else if (length == size && count > 0 && free != null) {
                reused++;
                byte[] b = free[--count];
                free[count] = null;
                return b;
            }
        }
        return new byte[length];
    }

    /** Takes back an array nobody refers to any more (arrays of another length, or beyond {@link #KEPT}, are left to the collector). */
    @Override
    public synchronized void accept(byte[] b) {
        if (b.length != size) return;
        byte[][] free = idle.get();
        if (free == null) { // cleared by the collector: a new set
            idle = new SoftReference<>(free = new byte[KEPT][]);
            count = 0;
        }
        if (count < KEPT) free[count++] = b;
    }

    /** Payloads decrypted into a reused array (tests). */
    synchronized long reused() {
        return reused;
    }

    /** Idle arrays (tests). */
    synchronized int idle() {
        return idle.get() == null ? 0 : count;
    }

    /** As if the collector had cleared the soft reference to the idle arrays (tests). */
    synchronized void dropIdle() {
        idle.clear();
    }
}
