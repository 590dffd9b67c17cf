package dev.planetary.cli;

import dev.planetary.seqex.SeqexConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

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

    /** Channels the listener accepts: 0 (control) and 1..MAX_STREAMS. */
    static final int MAX_STREAMS = 256;
    /** Largest SEQEX packet either side sends or accepts (a stream chunk plus the 12-byte header). */
    static final int MAX_PACKET = 16_384;
    /** Per-channel SEQEX send window and receive buffer, in packets. */
    static final int WINDOW = 64;
    static final int RECEIVE_CAPACITY = 64;
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
     * SEQEX's NewReno window per stream (docs/seqex.md §3). On by default; the system property
     * {@code planetary.tunnel.congestionControl=false} turns it off, for benchmarks
     * (scripts/tunnel-bench.py compares both).
     */
    static final boolean CONGESTION_CONTROL = !"false".equals(System.getProperty("planetary.tunnel.congestionControl"));

    static final byte[] EOF = new byte[0];

    /** The SEQEX configuration both sides use. */
    static SeqexConfig config() {
        return SeqexConfig.defaults()
                .withMaxPacketSize(MAX_PACKET)
                .withMaxChannels(MAX_STREAMS + 1)
                .withWindow(WINDOW, RECEIVE_CAPACITY)
                .withRto(250, MIN_RTO_MS, 8_000, true)
                .withDelayedAcks(ACK_EVERY, ACK_DELAY_MS)
                .withCongestionControl(CONGESTION_CONTROL);
    }

    /**
     * What one session may cost the listener (listen --max-streams, --session-buffer): concurrent
     * streams, and bytes SEQEX buffers for it (unconsumed payloads on open channels plus out-of-order
     * packets held for reordering, half each), and how long a stream may carry nothing (0: for ever).
     * Data on channels without an open stream is dropped.
     */
    record Limits(int maxStreams, long sessionBuffer, long streamIdleMs) {
        static final int DEFAULT_STREAMS = 32;
        static final Limits DEFAULT = new Limits(DEFAULT_STREAMS, 8L << 20, 0);

        Limits {
            if (maxStreams < 1 || maxStreams > MAX_STREAMS) throw new CliError(CliError.USAGE, "--max-streams must be between 1 and " + MAX_STREAMS + ", got " + maxStreams);
            long need = (long) (maxStreams + 1) * 2 * MAX_PACKET + 2L * WINDOW * MAX_PACKET;
            if (sessionBuffer < need) {
                throw new CliError(CliError.USAGE, "--session-buffer must be at least " + need + " bytes for --max-streams " + maxStreams
                        + " (two packets per channel and one window of reordering), got " + sessionBuffer);
            }
        }

        /** Receive capacity per channel (packets): half the budget shared among the channels, 2..64. */
        int receiveCapacity() {
            return (int) Math.max(2, Math.min(RECEIVE_CAPACITY, sessionBuffer / 2 / ((long) (maxStreams + 1) * MAX_PACKET)));
        }

        /** Out-of-order packets held across the session's channels: the rest of the budget, at least two windows. */
        int maxHeld() {
            long rest = sessionBuffer - (long) (maxStreams + 1) * receiveCapacity() * MAX_PACKET;
            return (int) Math.max(2 * WINDOW, Math.min(Integer.MAX_VALUE, rest / MAX_PACKET));
        }

        /** The listener's SEQEX configuration. */
        SeqexConfig seqex() {
            return config().withWindow(WINDOW, receiveCapacity());
        }

        /** Most payload bytes SEQEX buffers for one session: unconsumed payloads on open channels plus held packets. */
        long bound() {
            return ((long) (maxStreams + 1) * receiveCapacity() + maxHeld()) * MAX_PACKET;
        }
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

    static byte[] reply(byte status, String message) {
        byte[] t = message.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + t.length).put(status).put(t).array();
    }

    /**
     * A target the listener allows (--allow-tunnel). A request matches by its text (case-insensitive,
     * so host names are never resolved because a peer asked) or, for IP literals, by address.
     */
    record Target(String text, InetSocketAddress address) {
        static Target parse(String text) {
            return new Target(text.strip().toLowerCase(Locale.ROOT), Addresses.parse("--allow-tunnel target", text, false));
        }

        boolean matches(String requested) {
            String r = requested.strip().toLowerCase(Locale.ROOT);
            if (r.equals(text)) return true;
            InetSocketAddress literal = literal(r);
            return literal != null && literal.equals(address);
        }

        @Override
        public String toString() {
            return text;
        }
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

    static Target find(List<Target> allowed, String requested) {
        for (Target t : allowed) if (t.matches(requested)) return t;
        return null;
    }
}
