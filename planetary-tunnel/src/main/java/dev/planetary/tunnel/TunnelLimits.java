package dev.planetary.tunnel;

import static dev.planetary.tunnel.TunnelProtocol.BASE_PACKET;
import static dev.planetary.tunnel.TunnelProtocol.RECEIVE_CAPACITY;
import static dev.planetary.tunnel.TunnelProtocol.WINDOW;

import dev.planetary.seqex.SeqexConfig;

/**
 * What one session may cost the listener ({@code listen --max-streams}, {@code --session-buffer}):
 * concurrent streams, and bytes SEQEX buffers for it, and how long a stream may carry nothing (0: for
 * ever). Data on channels without an open stream is dropped. The buffer is split (issue 19) into a
 * share every channel keeps whatever the others do ({@link #receiveCapacity} base packets, half the
 * buffer shared evenly), a pool the busy streams share ({@link #sharedBytes}: one busy stream may use
 * most of it, many split it through the windows SEQEX advertises), and out-of-order packets held for
 * reordering ({@link #maxHeld}); together exactly {@link #bound()}.
 *
 * @param maxStreams    concurrent streams per session, 1..{@link #MAX_STREAMS}
 * @param sessionBuffer bytes SEQEX may buffer for the session (at least {@link #minSessionBuffer})
 * @param streamIdleMs  a stream that carried nothing for this long is reset; 0: never
 */
public record TunnelLimits(int maxStreams, long sessionBuffer, long streamIdleMs) {
    /** Channels the listener accepts: 0 (control) and 1..MAX_STREAMS. */
    public static final int MAX_STREAMS = 256;
    /** Streams per session unless configured. */
    public static final int DEFAULT_STREAMS = 32;
    /** 32 streams, 8 MiB per session, no idle timeout. */
    public static final TunnelLimits DEFAULT = new TunnelLimits(DEFAULT_STREAMS, 8L << 20, 0);

    /**
     * @throws IllegalArgumentException if {@code maxStreams} is out of range, the buffer is below
     *         {@link #minSessionBuffer} or the idle time is negative
     */
    public TunnelLimits {
        checkStreams(maxStreams);
        long need = minSessionBuffer(maxStreams);
        if (sessionBuffer < need) {
            throw new IllegalArgumentException("--session-buffer must be at least " + need + " bytes for --max-streams " + maxStreams
                    + " (two packets per channel and one window of reordering), got " + sessionBuffer);
        }
        if (streamIdleMs < 0) throw new IllegalArgumentException("the stream idle timeout must be 0 (none) or positive, got " + streamIdleMs + " ms");
    }

    /** @throws IllegalArgumentException unless {@code 1 <= maxStreams <= MAX_STREAMS} */
    static void checkStreams(int maxStreams) {
        if (maxStreams < 1 || maxStreams > MAX_STREAMS) {
            throw new IllegalArgumentException("--max-streams must be between 1 and " + MAX_STREAMS + ", got " + maxStreams);
        }
    }

    /** The smallest session buffer for {@code maxStreams}: two packets per channel and one window of reordering. */
    public static long minSessionBuffer(int maxStreams) {
        return (long) (maxStreams + 1) * 2 * BASE_PACKET + 2L * WINDOW * BASE_PACKET;
    }

    /** The receive share every channel keeps, in {@link TunnelProtocol#BASE_PACKET} packets: half the budget shared among the channels, 2..64. */
    int receiveCapacity() {
        return (int) Math.max(2, Math.min(RECEIVE_CAPACITY, sessionBuffer / 2 / ((long) (maxStreams + 1) * BASE_PACKET)));
    }

    /** The receive share every channel keeps, in payload bytes (SEQEX counts it in bytes whatever the peer's packet size): {@link #receiveCapacity} base packets. */
    long guaranteedBytes() {
        return (long) receiveCapacity() * BASE_PACKET;
    }

    /**
     * The pool the channels share beyond their own share: what the budget leaves after every channel's
     * share and the held packets (0 at the smallest budgets).
     */
    long sharedBytes() {
        return Math.max(0, sessionBuffer - (long) (maxStreams + 1) * guaranteedBytes() - (long) maxHeld() * BASE_PACKET);
    }

    /** The most one channel may buffer (SEQEX's per-channel receive buffer): its share and the whole pool. */
    long receiveBytes() {
        return guaranteedBytes() + sharedBytes();
    }

    /** Out-of-order base packets held across the session's channels: two windows. */
    int maxHeld() {
        return 2 * WINDOW;
    }

    /** Payload bytes of the out-of-order packets held across the session's channels: {@link #maxHeld} base packets. */
    long maxHeldBytes() {
        return (long) maxHeld() * BASE_PACKET;
    }

    /**
     * The listener's SEQEX configuration on a path of {@code mtu}: packets as large as the path carries
     * in one datagram ({@link TunnelProtocol#packetSize}) but no larger than a channel's own share; the
     * buffer counted in bytes (the share plus the pool, which {@link dev.planetary.seqex.Seqex#sharePool}
     * bounds together), so the bound below holds whatever packet size the tunnel sends.
     */
    SeqexConfig seqex(int mtu) {
        return TunnelProtocol.config((int) Math.min(TunnelProtocol.packetSize(mtu), guaranteedBytes()))
                .withWindow(WINDOW, RECEIVE_CAPACITY)
                .withReceiveBuffer(receiveBytes());
    }

    /** Most payload bytes SEQEX buffers for one session: every channel's share, the pool, and held packets. */
    public long bound() {
        return (long) (maxStreams + 1) * guaranteedBytes() + sharedBytes() + maxHeldBytes();
    }
}
