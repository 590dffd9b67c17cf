package dev.planetary.seqex;

/**
 * Limits and timers of one SEQEX endpoint. Both peers must agree on {@code initialSequence} (it
 * fixes every channel's first sequence number) and should use the same {@code window}; the rest is
 * local.
 *
 * @param window          send window and receive acceptance window per channel, in packets (1..2^15)
 * @param receiveCapacity messages a channel buffers for the application (delivered but not yet
 *                        consumed, plus requests awaiting the application's reply) before it stops
 *                        accepting (and acking) new payloads
 * @param initialRtoMillis the resend timeout before any RTT sample (and always, if not adaptive)
 * @param minRtoMillis    lower clamp of the adaptive resend timeout
 * @param maxRtoMillis    upper clamp of the resend timeout including exponential backoff
 * @param adaptiveRto     RFC 6298 SRTT/RTTVAR estimation from acks of never-resent packets
 * @param maxPacketSize   largest SEQEX packet (header included) sent or accepted; at most
 *                        {@link #MAX_PACKET_SIZE}. Over ZSSP keep it at or below
 *                        {@link dev.planetary.zssp.Limits#maxPayload(int)}
 * @param maxChannels     channel ids accepted are {@code [0, maxChannels)}, at most 65536
 * @param initialSequence base of every channel's initial sequence number (see docs/seqex.md)
 * @param ackEvery        delayed acknowledgements: an in-order packet is acknowledged by one
 *                        cumulative ACK per {@code ackEvery} packets (1: one ACK per packet, the
 *                        original SEQEX behaviour and the default; the peer must understand the
 *                        CUMULATIVE flag when it is above 1, docs/seqex.md §1)
 * @param ackDelayMillis  the longest an acknowledgement waits for more packets (keep it well below
 *                        the peer's {@code minRtoMillis})
 * @param congestionControl a congestion window per channel (CUBIC, RFC 9438, in packets) under
 *                        the fixed {@code window}: off by default (the window alone limits a sender)
 * @param receiveBufferBytes payload bytes a channel buffers for the application (delivered but not
 *                        yet consumed), besides the {@code receiveCapacity} messages: a payload that
 *                        would exceed either is dropped unacked (docs/seqex.md §4). 0: {@code
 *                        receiveCapacity × maxPayload()}, so only the message count binds; otherwise at
 *                        least {@link #maxPayload()}, so one packet of the largest size always fits an
 *                        empty buffer
 */
public record SeqexConfig(
        int window,
        int receiveCapacity,
        long initialRtoMillis,
        long minRtoMillis,
        long maxRtoMillis,
        boolean adaptiveRto,
        int maxPacketSize,
        int maxChannels,
        int initialSequence,
        int ackEvery,
        long ackDelayMillis,
        boolean congestionControl,
        long receiveBufferBytes) {

    /** Hard cap on a SEQEX packet: 1 MiB. */
    public static final int MAX_PACKET_SIZE = 1 << 20;

    public SeqexConfig {
        if (window < 1 || window > 1 << 15) throw new IllegalArgumentException("window must be in [1, 32768], got " + window);
        if (receiveCapacity < 1) throw new IllegalArgumentException("receiveCapacity must be positive, got " + receiveCapacity);
        if (minRtoMillis < 1 || initialRtoMillis < minRtoMillis || maxRtoMillis < initialRtoMillis) {
            throw new IllegalArgumentException("need 1 <= minRto <= initialRto <= maxRto, got " + minRtoMillis + ", " + initialRtoMillis + ", " + maxRtoMillis);
        }
        if (maxPacketSize < Codec.REPLY_HEADER || maxPacketSize > MAX_PACKET_SIZE) {
            throw new IllegalArgumentException("maxPacketSize must be in [" + Codec.REPLY_HEADER + ", " + MAX_PACKET_SIZE + "], got " + maxPacketSize);
        }
        if (maxChannels < 1 || maxChannels > 65536) throw new IllegalArgumentException("maxChannels must be in [1, 65536], got " + maxChannels);
        if (ackEvery < 1 || ackEvery > 1 << 15) throw new IllegalArgumentException("ackEvery must be in [1, 32768], got " + ackEvery);
        if (ackDelayMillis < 0 || ackDelayMillis > 1_000) throw new IllegalArgumentException("ackDelayMillis must be in [0, 1000], got " + ackDelayMillis);
        if (receiveBufferBytes != 0 && receiveBufferBytes < maxPacketSize - Codec.REPLY_HEADER) {
            throw new IllegalArgumentException("receiveBufferBytes must be 0 (receiveCapacity packets) or at least maxPayload " + (maxPacketSize - Codec.REPLY_HEADER)
                    + ", got " + receiveBufferBytes);
        }
    }

    /** Without delayed acknowledgements (one ACK per packet). */
    public SeqexConfig(int window, int receiveCapacity, long initialRtoMillis, long minRtoMillis, long maxRtoMillis, boolean adaptiveRto,
            int maxPacketSize, int maxChannels, int initialSequence) {
        this(window, receiveCapacity, initialRtoMillis, minRtoMillis, maxRtoMillis, adaptiveRto, maxPacketSize, maxChannels, initialSequence, 1, 0, false, 0);
    }

    /** Window 64, capacity 64, RTO 250 ms initial (50 ms .. 8 s, adaptive), 16 KiB packets, 64 channels, initial sequence 0. */
    public static SeqexConfig defaults() {
        return new SeqexConfig(64, 64, 250, 50, 8_000, true, 16_384, 64, 0);
    }

    /** Largest application payload of a packet (replies have the larger header). */
    public int maxPayload() {
        return maxPacketSize - Codec.REPLY_HEADER;
    }

    public SeqexConfig withWindow(int window, int receiveCapacity) {
        return new SeqexConfig(window, receiveCapacity, initialRtoMillis, minRtoMillis, maxRtoMillis, adaptiveRto, maxPacketSize, maxChannels, initialSequence, ackEvery, ackDelayMillis, congestionControl, receiveBufferBytes);
    }

    public SeqexConfig withRto(long initialMs, long minMs, long maxMs, boolean adaptive) {
        return new SeqexConfig(window, receiveCapacity, initialMs, minMs, maxMs, adaptive, maxPacketSize, maxChannels, initialSequence, ackEvery, ackDelayMillis, congestionControl, receiveBufferBytes);
    }

    public SeqexConfig withMaxPacketSize(int bytes) {
        return new SeqexConfig(window, receiveCapacity, initialRtoMillis, minRtoMillis, maxRtoMillis, adaptiveRto, bytes, maxChannels, initialSequence, ackEvery, ackDelayMillis, congestionControl, receiveBufferBytes);
    }

    public SeqexConfig withMaxChannels(int channels) {
        return new SeqexConfig(window, receiveCapacity, initialRtoMillis, minRtoMillis, maxRtoMillis, adaptiveRto, maxPacketSize, channels, initialSequence, ackEvery, ackDelayMillis, congestionControl, receiveBufferBytes);
    }

    /**
     * Delayed acknowledgements: one cumulative ACK per {@code every} in-order packets, or after
     * {@code delayMillis} at the latest; out-of-order packets and duplicates are still acknowledged at
     * once (they tell the sender about losses). Both peers must run a SEQEX that knows the
     * CUMULATIVE flag.
     */
    public SeqexConfig withDelayedAcks(int every, long delayMillis) {
        return new SeqexConfig(window, receiveCapacity, initialRtoMillis, minRtoMillis, maxRtoMillis, adaptiveRto, maxPacketSize, maxChannels, initialSequence,
                every, delayMillis, congestionControl, receiveBufferBytes);
    }

    /**
     * A CUBIC congestion window per channel (docs/seqex.md §3, RFC 9438): a sender starts with 10
     * packets in flight, grows by one per acknowledged packet up to the slow-start threshold and along
     * CUBIC's curve (or its Reno-friendly estimate) after it, keeps 0.7 of it on a loss found by early
     * retransmit (once per window) and falls to one packet on a resend timeout. Never above
     * {@code window}. Purely local.
     */
    public SeqexConfig withCongestionControl(boolean on) {
        return new SeqexConfig(window, receiveCapacity, initialRtoMillis, minRtoMillis, maxRtoMillis, adaptiveRto, maxPacketSize, maxChannels, initialSequence,
                ackEvery, ackDelayMillis, on, receiveBufferBytes);
    }

    /**
     * Counts each channel's receive buffer in payload bytes as well as in messages: at most {@code
     * bytes} delivered and unconsumed (at least {@link #maxPayload()}; 0: no byte bound beyond
     * {@code receiveCapacity × maxPayload()}). Memory then stays bounded by bytes whatever the peer's
     * packet size.
     */
    public SeqexConfig withReceiveBuffer(long bytes) {
        return new SeqexConfig(window, receiveCapacity, initialRtoMillis, minRtoMillis, maxRtoMillis, adaptiveRto, maxPacketSize, maxChannels, initialSequence,
                ackEvery, ackDelayMillis, congestionControl, bytes);
    }

    /** The receive buffer per channel in payload bytes: {@code receiveBufferBytes}, or {@code receiveCapacity × maxPayload()} if that is 0. */
    public long receiveBytes() {
        return receiveBufferBytes != 0 ? receiveBufferBytes : (long) receiveCapacity * maxPayload();
    }

    public SeqexConfig withInitialSequence(int seq) {
        return new SeqexConfig(window, receiveCapacity, initialRtoMillis, minRtoMillis, maxRtoMillis, adaptiveRto, maxPacketSize, maxChannels, seq, ackEvery, ackDelayMillis, congestionControl, receiveBufferBytes);
    }
}
