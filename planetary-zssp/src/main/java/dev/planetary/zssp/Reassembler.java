package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.HEADER_SIZE;

import dev.planetary.zssp.crypto.ZsspConstants;
import java.util.Arrays;

/**
 * ZFP receiving side (spec §10.5): bounded reassembly of fragmented packets, keyed by the 10-byte
 * packet nonce (and, for the shared Hello buffer, the source address). Fixed number of slots; a
 * packet whose slot is taken by a different one evicts it. Entries expire a fixed time after their
 * first fragment and are removed as soon as they complete (the reference keeps completed and
 * deletes live entries, §13 D6). Thread-safe (one lock per buffer).
 *
 * <p>Two slot rules. Unauthenticated buffers (Hello, Completion) pick a slot by a keyed hash, so a
 * remote sender cannot aim at one. A session's buffer ({@link #forSession}) has one slot per slot of
 * the replay window, {@code counter mod 128}: every packet the window can still admit has a slot of
 * its own, so no number of packets in flight at once (a SEQEX window of fragmented messages) makes
 * two live packets collide; a packet evicted by a newer counter in its slot is 128 or more counters
 * old, i.e. one the replay window refuses anyway. A byte budget bounds what one session's peer can
 * make us hold.
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
    /** Slot = counter mod slots (a session's buffer), instead of the keyed hash. */
    private final boolean byCounter;
    /** Payload bytes held in partial packets at most; a fragment beyond it is refused. */
    private final long maxBytes;
    private long bytes;

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
        this(slotCount, maxPacket, timeout, hashKey, false, (long) slotCount * maxPacket);
    }

    private Reassembler(int slotCount, int maxPacket, long timeout, long hashKey, boolean byCounter, long maxBytes) {
        this.slots = new Entry[slotCount];
        this.maxPacket = maxPacket;
        this.timeout = timeout;
        this.hashKey = hashKey;
        this.byCounter = byCounter;
        this.maxBytes = maxBytes;
    }

    /**
     * A session's buffer: {@link ZsspConstants#REPLAY_WINDOW} slots indexed by counter, holding at
     * most {@code maxBytes} of partial packets.
     */
    static Reassembler forSession(int maxPacket, long timeout, long maxBytes) {
        return new Reassembler(ZsspConstants.REPLAY_WINDOW, maxPacket, timeout, 0, true, maxBytes);
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
        int idx = place(nonceHi, counter, address, now);
        Entry e = slots[idx];
        if (e != null && (expired(e, now) || !holds(e, nonceHi, counter, address))) {
            remove(idx); // expired, or another packet: evict it
            e = null;
        }
        if (bytes + plen > maxBytes) return CONFLICT; // the budget: the peer holds back too much at once
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
        bytes += plen;
        if (Long.bitCount(e.mask) < count) return null;
        remove(idx);
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
        for (int i = 0; i < slots.length; i++) if (slots[i] != null && expired(slots[i], now)) remove(i);
    }

    private void remove(int i) {
        bytes -= slots[i].total;
        slots[i] = null;
    }

    /** Payload bytes held in partial packets (memory-bound checks). */
    synchronized long bytes() {
        return bytes;
    }

    /**
     * Past its deadline, or with a deadline more than two timeouts from now: the clock jumped back
     * by over a timeout (spec §0). Not one timeout: a timer pass takes its {@code now} once, at its
     * start, while the receive thread goes on adding fragments stamped later, so a deadline a little
     * over one timeout ahead of a pass's {@code now} is normal (it dropped the first fragment of a
     * Response arriving during a pass, costing a Hello resend).
     */
    private boolean expired(Entry e, long now) {
        return e.deadline - now <= 0 || e.deadline - now > 2 * timeout;
    }

    synchronized int pending() {
        int n = 0;
        for (Entry e : slots) if (e != null) n++;
        return n;
    }

    /**
     * The slot for a fragment. A session's buffer: the counter's. The shared buffers (Hellos,
     * Completions) give each packet two candidate slots by a keyed hash: the one already holding
     * this packet, else a free or expired one, else the one whose packet is older is evicted. With
     * one slot per packet a resent Hello keeps its counter and so its slot: a packet that happened to
     * share it with a flooder's resent Hellos lost every time (RootFloodSimTest, some hash keys);
     * with two, it loses only while both are taken by packets newer than its first fragment.
     */
    private int place(long nonceHi, long counter, byte[] address, long now) {
        if (byCounter) return (int) (counter & (slots.length - 1)); // §7.8: the replay window's slot
        long h = hashKey ^ (counter * 0x9E3779B97F4A7C15L) ^ (nonceHi << 48);
        for (byte b : address) h = (h ^ b) * 0x100000001B3L;
        h = mix(h);
        int a = (int) Long.remainderUnsigned(h, slots.length);
        if (slots.length == 1) return a;
        int b = (int) Long.remainderUnsigned(mix(h ^ hashKey ^ 0x632BE59BD9B4E019L), slots.length - 1);
        if (b >= a) b++; // a different slot
        if (holds(slots[a], nonceHi, counter, address)) return a;
        if (holds(slots[b], nonceHi, counter, address)) return b;
        if (slots[a] == null || expired(slots[a], now)) return a;
        if (slots[b] == null || expired(slots[b], now)) return b;
        return slots[b].deadline < slots[a].deadline ? b : a;
    }

    private static boolean holds(Entry e, long nonceHi, long counter, byte[] address) {
        return e != null && e.counter == counter && e.nonceHi == nonceHi && Arrays.equals(e.address, address);
    }

    private static long mix(long h) {
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return h;
    }
}
