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

    /** The largest payload a DATA packet may carry at this MTU: {@code (mtu − 16) × 48 − 16}. */
    static int maxDataPayload(int mtu) {
        return (Math.max(mtu, MIN_TRANSPORT_MTU) - HEADER_SIZE) * MAX_FRAGMENTS - 16;
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
            Bytes.putInt(buf, 0, kid);
            buf[4] = (byte) i;
            buf[5] = (byte) count;
            buf[6] = 0;
            buf[7] = (byte) type;
            Bytes.putLong(buf, 8, counter);
            System.arraycopy(packet, pos, buf, HEADER_SIZE, n);
            pos += n;
            if (hk != null) hk.encryptBlock(buf, 4);
            remote.send(buf, 0, HEADER_SIZE + n);
        }
    }
}
