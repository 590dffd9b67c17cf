package dev.planetary.tunnel;

import dev.planetary.seqex.SeqexConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The {@code planetary tunnel} protocol: SEQEX over one ZSSP session (see docs/cli.md, "Tunnels").
 *
 * <p>Channel 0 carries control messages (SeqCst). Every other channel carries one TCP stream at a
 * time: its bytes as SeqCst payloads in both directions, and one empty payload per direction as
 * end-of-stream (TCP FIN; it is always sent, also after an abort, so a channel ends clean and can
 * be reused). Control messages (big-endian):
 *
 * <pre>
 * OPEN  (request, tunnel → listener): 1, stream u32, channel u16, target UTF-8 "HOST:PORT"
 *       reply: status u8 (0 OK, 1 REFUSED, 2 FAILED, 3 BAD), message UTF-8
 * CLOSE (listener → tunnel):          2, stream u32, channel u16
 *       the listener has sent its end-of-stream and received the tunnel's: the channel is free
 * RESET (either way):                 3, stream u32, channel u16, reason UTF-8
 *       the sender's socket failed: abort the local socket (end-of-stream markers still follow)
 * PING  (request, tunnel → listener): 4, stream 0, channel 0
 *       reply: status OK; a keepalive that finds a session the listener no longer has
 * </pre>
 */
final class TunnelProtocol {
    private TunnelProtocol() {}

    static final byte OPEN = 1;
    static final byte CLOSE = 2;
    static final byte RESET = 3;
    static final byte PING = 4;

    static final byte OK = 0;
    static final byte REFUSED = 1;
    static final byte FAILED = 2;
    static final byte BAD = 3;

    /** Largest SEQEX packet either side sends or accepts (a stream chunk plus the 12-byte header). */
    static final int MAX_PACKET = 16_384;
    /** Per-channel SEQEX send window and receive buffer, in packets. */
    static final int WINDOW = 64;
    static final int RECEIVE_CAPACITY = 64;
    /**
     * A stream's reader takes up to this many packets' worth from its socket per read: one system
     * call for a burst instead of one per packet (BENCHMARKS.md, issue 19 third round).
     */
    static final int READ_PACKETS = 4;
    /**
     * Lower clamp of the adaptive resend timeout. SEQEX's default (50 ms) idles a bulk stream on a
     * sub-millisecond path for 50 ms per lost packet; on slower paths RTO = SRTT + 4·RTTVAR is above
     * this anyway.
     */
    static final long MIN_RTO_MS = 10;

    /**
     * Delayed cumulative ACKs (docs/seqex.md §1): one per 2 in-order packets (as TCP) or 2 ms, a
     * fifth of {@link #MIN_RTO_MS}. One per 8 was as fast on a clean path but, with the congestion
     * window, 40 % slower over the 1 % loss relay: the flight's last packets waited for the delay
     * timer, and a late timer under load reads as a timeout (BENCHMARKS.md). The system property
     * {@code planetary.tunnel.ackEvery} overrides it, for benchmarks.
     */
    static final int ACK_EVERY = Math.max(1, Math.min(WINDOW, Integer.getInteger("planetary.tunnel.ackEvery", 2)));
    static final long ACK_DELAY_MS = 2;

    /**
     * SEQEX's CUBIC window per stream (docs/seqex.md §3). On by default; the system property
     * {@code planetary.tunnel.congestionControl=false} turns it off, for benchmarks
     * (scripts/tunnel-bench.py compares both).
     */
    static final boolean CONGESTION_CONTROL = !"false".equals(System.getProperty("planetary.tunnel.congestionControl"));

    static final byte[] EOF = new byte[0];

    /** The SEQEX configuration both sides use. */
    static SeqexConfig config() {
        return SeqexConfig.defaults()
                .withMaxPacketSize(MAX_PACKET)
                .withMaxChannels(TunnelLimits.MAX_STREAMS + 1)
                .withWindow(WINDOW, RECEIVE_CAPACITY)
                .withRto(250, MIN_RTO_MS, 8_000, true)
                .withDelayedAcks(ACK_EVERY, ACK_DELAY_MS)
                .withCongestionControl(CONGESTION_CONTROL);
    }

    /** Bytes per stream chunk: fills a SEQEX packet, but no more than one ZSSP payload at this MTU. */
    static int chunkSize(int mtu) {
        return Math.min(config().maxPayload(), dev.planetary.zssp.Limits.maxPayload(mtu) - 12);
    }

    /** A decoded control message. */
    record Control(byte type, int stream, int channel, String text) {
        byte[] encode() {
            byte[] t = text.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(7 + t.length).put(type).putInt(stream).putShort((short) channel).put(t).array();
        }

        static Control decode(byte[] b) {
            if (b.length < 7) return null;
            ByteBuffer bb = ByteBuffer.wrap(b);
            byte type = bb.get();
            int stream = bb.getInt();
            int channel = Short.toUnsignedInt(bb.getShort());
            return new Control(type, stream, channel, new String(b, 7, b.length - 7, StandardCharsets.UTF_8));
        }
    }

    /**
     * The answer to an accepted OPEN: status OK and, since issue 19, the listener's receive buffer for
     * the stream's channel in packets (u16); the tunnel keeps at most that many in flight on it. An
     * older tunnel reads only the status; from an older listener the tunnel gets no size and keeps
     * its window.
     */
    static byte[] opened(int receiveCapacity) {
        return ByteBuffer.allocate(3).put(OK).putShort((short) Math.min(0xFFFF, receiveCapacity)).array();
    }

    /** The receive buffer in an OPEN answer ({@link #opened}), clamped to 1..WINDOW; WINDOW if the listener sent none. */
    static int receiveCapacity(byte[] answer) {
        if (answer.length < 3) return WINDOW;
        int n = ((answer[1] & 0xFF) << 8) | (answer[2] & 0xFF);
        return Math.max(1, Math.min(WINDOW, n));
    }

    static byte[] reply(byte status, String message) {
        byte[] t = message.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + t.length).put(status).put(t).array();
    }

    /** {@code requested} as an address if it is an IP literal with a port; null otherwise (no DNS). */
    static InetSocketAddress literal(String requested) {
        String t = requested.strip();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 2 > t.length() || t.charAt(close + 1) != ':') return null;
            host = t.substring(1, close);
            port = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon < 0) return null;
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
        }
        if (!host.matches("[0-9.]+") && !(host.contains(":") && host.matches("[0-9a-fA-F:.%]+"))) return null;
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) return null;
            return new InetSocketAddress(InetAddress.getByName(host), p); // an IP literal (checked above): no DNS lookup;
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            return null;
        }
    }

    static TunnelTarget find(List<TunnelTarget> allowed, String requested) {
        for (TunnelTarget t : allowed) if (t.matches(requested)) return t;
        return null;
    }
}
