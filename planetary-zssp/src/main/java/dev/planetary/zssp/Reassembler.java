package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.HEADER_SIZE;

import java.util.Arrays;

/**
 * ZFP receiving side (spec §10.5): bounded reassembly of fragmented packets, keyed by the 10-byte
 * packet nonce (and, for the shared Hello buffer, the source address). Fixed number of slots; a
 * packet whose slot is taken by a different one evicts it. Entries expire a fixed time after their
 * first fragment and are removed as soon as they complete (the reference keeps completed and
 * deletes live entries, §13 D6). Thread-safe (one lock per buffer).
 */
final class Reassembler {
    /** Returned by {@link #add} for a fragment that conflicts with what is stored (natural). */
    static final byte[] CONFLICT = new byte[0];
    /** The address of session and pending-handshake buffers, which are keyed by nonce alone. */
    private static final byte[] NO_ADDRESS = new byte[0];

    private final Entry[] slots;
    private final int maxPacket;
    private final long timeout;
    private final long hashKey;

    private static final class Entry {
        long nonceHi; // reserved byte and type
        long counter;
        byte[] address;
        int count;
        long mask;
        int firstLen;
        int total;
        long deadline;
        byte[][] parts;
    }

    /**
     * @param slotCount how many partial packets may be held at once
     * @param maxPacket the largest packet this buffer assembles
     * @param timeout   ms after the first fragment before a partial packet is dropped
     * @param hashKey   a secret seed for slot selection (so remote senders cannot aim at slots)
     */
    Reassembler(int slotCount, int maxPacket, long timeout, long hashKey) {
        this.slots = new Entry[slotCount];
        this.maxPacket = maxPacket;
        this.timeout = timeout;
        this.hashKey = hashKey;
    }

    /**
     * Adds one fragment whose header (already decrypted and validated: number &lt; count ≤ 48) is
     * at {@code d[off, off+16)} and payload follows up to {@code off+len}.
     *
     * @return the whole packet when this fragment completes it; {@code null} if stored;
     *         {@link #CONFLICT} for a duplicate or inconsistent fragment
     */
    synchronized byte[] add(byte[] d, int off, int len, byte[] address, long now) {
        if (address == null) address = NO_ADDRESS;
        int no = d[off + 4] & 0xff;
        int count = d[off + 5] & 0xff;
        long nonceHi = ((d[off + 6] & 0xffL) << 8) | (d[off + 7] & 0xffL);
        long counter = dev.planetary.zssp.crypto.Bytes.getLong(d, off + 8);
        int plen = len - HEADER_SIZE;
        int idx = slot(nonceHi, counter, address);
        Entry e = slots[idx];
        if (e != null && (expired(e, now) || e.counter != counter || e.nonceHi != nonceHi
                || !Arrays.equals(e.address, address))) {
            e = null; // expired, or another packet: evict it
            slots[idx] = null;
        }
        if (e == null) {
            if ((long) count * Math.max(plen - 1, 0) > maxPacket) return CONFLICT;
            e = new Entry();
            e.nonceHi = nonceHi;
            e.counter = counter;
            e.address = address;
            e.count = count;
            e.firstLen = plen;
            e.deadline = now + timeout;
            e.parts = new byte[count][];
            slots[idx] = e;
        } else if (e.count != count || (e.mask & (1L << no)) != 0 || Math.abs(plen - e.firstLen) > 1
                || e.total + plen > maxPacket) {
            return CONFLICT;
        }
        e.parts[no] = Arrays.copyOfRange(d, off + HEADER_SIZE, off + len);
        e.mask |= 1L << no;
        e.total += plen;
        if (Long.bitCount(e.mask) < count) return null;
        slots[idx] = null;
        byte[] packet = new byte[e.total];
        int pos = 0;
        for (byte[] p : e.parts) {
            System.arraycopy(p, 0, packet, pos, p.length);
            pos += p.length;
        }
        return packet;
    }

    /** Drops partial packets older than the timeout. */
    synchronized void expire(long now) {
        for (int i = 0; i < slots.length; i++) if (slots[i] != null && expired(slots[i], now)) slots[i] = null;
    }

    /** Past its deadline, or with a deadline beyond one timeout from now: the clock jumped back (spec §0). */
    private boolean expired(Entry e, long now) {
        return e.deadline - now <= 0 || e.deadline - now > timeout;
    }

    synchronized int pending() {
        int n = 0;
        for (Entry e : slots) if (e != null) n++;
        return n;
    }

    private int slot(long nonceHi, long counter, byte[] address) {
        long h = hashKey ^ (counter * 0x9E3779B97F4A7C15L) ^ (nonceHi << 48);
        for (byte b : address) h = (h ^ b) * 0x100000001B3L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) Long.remainderUnsigned(h, slots.length);
    }
}
