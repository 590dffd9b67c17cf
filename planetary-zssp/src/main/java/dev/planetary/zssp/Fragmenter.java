package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.HEADER_SIZE;
import static dev.planetary.zssp.crypto.ZsspConstants.MAX_FRAGMENTS;
import static dev.planetary.zssp.crypto.ZsspConstants.MIN_TRANSPORT_MTU;

import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.HeaderCipher;

/** ZFP sending side (spec §10.1–§10.3): split a packet to an MTU, write headers, protect them. */
final class Fragmenter {
    private Fragmenter() {}

    /** Fragments needed for a packet of {@code len} bytes, or a number above 48 if it cannot be sent. */
    static int fragmentCount(int len, int mtu) {
        int capacity = Math.max(mtu, MIN_TRANSPORT_MTU) - HEADER_SIZE;
        return Math.max(1, (len + capacity - 1) / capacity);
    }

    /**
     * Sends {@code packet[0, len)} as fragments to {@code remote}.
     *
     * @param kid     recipient key id (0 for Hello and Challenge)
     * @param hk      header key, or null for no protection (Hello, Challenge)
     * @throws IllegalArgumentException if more than 48 fragments would be needed (callers check first)
     */
    static void send(Remote remote, int mtu, byte[] packet, int len, int kid, int type, long counter, HeaderCipher hk) {
        int count = fragmentCount(len, mtu);
        if (count > MAX_FRAGMENTS) throw new IllegalArgumentException("packet of " + len + " bytes needs " + count + " fragments");
        int base = len / count;
        int rem = len % count;
        byte[] buf = new byte[HEADER_SIZE + base + (rem > 0 ? 1 : 0)];
        int pos = 0;
        for (int i = 0; i < count; i++) {
            int n = base + (i < rem ? 1 : 0);
            System.arraycopy(packet, pos, buf, HEADER_SIZE, n);
            pos += n;
            header(buf, kid, i, count, type, counter, hk);
            remote.send(buf, 0, HEADER_SIZE + n);
        }
    }

    /** Writes the 16-byte header of §10.1 at {@code buf[0..16)} and protects it (§10.3) unless {@code hk} is null. */
    static void header(byte[] buf, int kid, int no, int count, int type, long counter, HeaderCipher hk) {
        Bytes.putInt(buf, 0, kid);
        buf[4] = (byte) no;
        buf[5] = (byte) count;
        buf[6] = 0;
        buf[7] = (byte) type;
        Bytes.putLong(buf, 8, counter);
        if (hk != null) hk.encryptBlock(buf, 4);
    }

    /**
     * A per-thread datagram buffer for single-fragment DATA (no allocation, no second copy: the
     * payload is sealed straight into it). Null while the thread is already using it, i.e. when a
     * {@link Remote} re-enters {@code send} synchronously; the caller then allocates.
     */
    static byte[] borrowScratch(int len) {
        Scratch s = SCRATCH.get();
        if (s.inUse) return null;
        if (s.buf.length < len) s.buf = new byte[Math.max(len, 2048)];
        s.inUse = true;
        return s.buf;
    }

    static void returnScratch() {
        SCRATCH.get().inUse = false;
    }

    private static final class Scratch {
        byte[] buf = new byte[2048];
        boolean inUse;
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
}
