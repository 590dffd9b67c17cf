package dev.planetary.tunnel;

import dev.planetary.seqex.SeqexConfig;
import dev.planetary.transport.Endpoint;
import dev.planetary.zssp.Limits;
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
 * PING  (request, tunnel → listener): 4, stream 0, channel 0 [, packet u32, buffer u32 [, features u32]]
 *       reply: status OK; a keepalive that finds a session the listener no longer has
 * </pre>
 *
 * <p>Packet sizes (issue 19): each side announces the largest SEQEX packet it accepts and its receive
 * buffer per stream in payload bytes ({@link Sizes}): the tunnel at the end of every PING (the first
 * goes out before any OPEN), the listener at the end of its OPEN answer (status, u16 buffer in
 * 16 KiB packets as before, then packet u32, buffer u32, and since the fifth round features u32). A
 * peer that announces nothing gets {@link #BASE_PACKET} packets, as before; older peers ignore the
 * trailing bytes. Feature bit {@link #FEATURE_WINDOW}: the side understands SEQEX ACKs that advertise
 * a receive window (docs/seqex.md §1), so the other side sends them.
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

    /**
     * The SEQEX packet size on a path whose datagrams are smaller (a 16 KiB packet is then 12 ZSSP
     * fragments at MTU 1432), and the size a peer that announces none sends and accepts.
     */
    static final int BASE_PACKET = 16_384;
    /**
     * The ceiling on a SEQEX packet: what one datagram of the largest MTU (65,507) carries as one ZSSP
     * fragment, 65,475 bytes. A path whose datagrams carry more than {@link #BASE_PACKET} (loopback,
     * same host: {@link PathMtu}) gets packets of one datagram each, up to this.
     */
    static final int MAX_PACKET = Limits.maxUnfragmentedPayload(Endpoint.MAX_MTU);
    /**
     * The ceiling this process uses: {@link #MAX_PACKET}, or lower with the system property
     * {@code planetary.tunnel.maxPacket} (at least {@link #BASE_PACKET}), for benchmarks: the same
     * build with 16 KiB packets ({@code scripts/tunnel-bench.py --jvm base=-Dplanetary.tunnel.maxPacket=16384}).
     */
    static final int PACKET_CEILING = Math.max(BASE_PACKET, Math.min(MAX_PACKET, Integer.getInteger("planetary.tunnel.maxPacket", MAX_PACKET)));
    /**
     * A sender picks its packet size so that at least this many fit the receiver's buffer for the
     * stream: fewer in flight per round trip would idle the path behind delayed ACKs, and a loss
     * needs three later packets acknowledged to be found without waiting for the resend timer
     * (SEQEX's DupThresh): with 4 in flight an upload over a lossy path mostly waited for it.
     */
    static final int MIN_PACKETS_IN_BUFFER = 8;
    /** Per-channel SEQEX send window and receive buffer, in packets. */
    static final int WINDOW = 64;
    static final int RECEIVE_CAPACITY = 64;
    /**
     * Payload bytes one stream keeps in flight at most, whatever buffer the peer announces (our send
     * memory per stream): 4 MiB, a bandwidth-delay product of 400 MiB/s at 10 ms. Within it the peer's
     * announced buffer and its advertised window (exact), and the congestion window, decide; until
     * the sixth round of issue 19 it was a window of base packets (1 MiB: 16 packets of 64 KiB, below
     * what the listener's shared pool lets one upload use).
     */
    static final long MAX_SEND_BYTES = 4L << 20;
    /**
     * A stream's reader takes up to this many bytes (whole chunks, at least one) from its socket per
     * read: one system call per burst of 16 KiB packets, or per 64 KiB packet (BENCHMARKS.md, issue 19).
     */
    static final int READ_BYTES = 65_536;
    /**
     * Lower clamp of the adaptive resend timeout. It was 10 ms while the resend timer found most
     * losses (SEQEX's default 50 ms idled a bulk stream for 50 ms per lost packet); since SEQEX finds
     * losses by RACK's reorder timer and probes lost tails (RFC 8985, docs/seqex.md §3), the timer
     * is a last resort, and at 10 ms most of its expiries on a loaded host were spurious — each one
     * dropping the congestion window to one packet (BENCHMARKS.md, issue 19, fifth round). The system
     * property {@code planetary.tunnel.minRto} overrides it, for benchmarks.
     */
    static final long MIN_RTO_MS = Math.max(1, Math.min(250, Long.getLong("planetary.tunnel.minRto", 50)));

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

    /** Feature bit of {@link Sizes}: SEQEX ACKs with a receive window are understood (docs/seqex.md §1 flag WINDOW). */
    static final int FEATURE_WINDOW = 1;
    /** The features this version announces. */
    static final int FEATURES = FEATURE_WINDOW;

    /**
     * The largest SEQEX packet a side on a path of {@code mtu} accepts and sends: one datagram's worth
     * if that exceeds {@link #BASE_PACKET}, at most {@link #MAX_PACKET}; never less than a base packet,
     * which every version accepts (what it sends is further capped by {@link Sizes#chunkFor}).
     */
    static int packetSize(int mtu) {
        return Math.max(BASE_PACKET, Math.min(PACKET_CEILING, Limits.maxUnfragmentedPayload(mtu)));
    }

    /**
     * The SEQEX configuration of a side whose packets are at most {@code maxPacket} (sent and
     * accepted): the tunnel's, with a receive buffer of {@code RECEIVE_CAPACITY} base packets per
     * channel in bytes (1 MiB, as before whatever the packet size); the listener narrows it ({@link TunnelLimits}).
     */
    static SeqexConfig config(int maxPacket) {
        return SeqexConfig.defaults()
                .withMaxPacketSize(maxPacket)
                .withMaxChannels(TunnelLimits.MAX_STREAMS + 1)
                .withWindow(WINDOW, RECEIVE_CAPACITY)
                .withRto(250, MIN_RTO_MS, 8_000, true)
                .withDelayedAcks(ACK_EVERY, ACK_DELAY_MS)
                .withCongestionControl(CONGESTION_CONTROL)
                .withReceiveBuffer((long) RECEIVE_CAPACITY * BASE_PACKET);
    }

    /**
     * What a side announces (issue 19): the largest SEQEX packet it accepts, its receive buffer per
     * stream in payload bytes (0: not announced), and its feature bits ({@link #FEATURE_WINDOW}; 0 from
     * a side before the fifth round).
     */
    record Sizes(int maxPacket, long receiveBytes, int features) {
        /** What a peer that announces nothing gets: {@link #BASE_PACKET} packets, its buffer unknown, no features. */
        static final Sizes BASE = new Sizes(BASE_PACKET, 0, 0);

        /** A fourth-round announcement: sizes, no features. */
        Sizes(int maxPacket, long receiveBytes) {
            this(maxPacket, receiveBytes, 0);
        }

        /** The announcement of this version's side with {@code config}. */
        static Sizes of(SeqexConfig config) {
            return new Sizes(config.maxPacketSize(), config.receiveBytes(), FEATURES);
        }

        /** The peer understands SEQEX ACKs with a receive window. */
        boolean windowAcks() {
            return (features & FEATURE_WINDOW) != 0;
        }

        /** 12 bytes: packet u32, buffer u32, features u32 (an older peer reads the first 8). */
        byte[] encode() {
            return ByteBuffer.allocate(12).putInt(maxPacket).putInt((int) Math.min(0xFFFF_FFFFL, receiveBytes)).putInt(features).array();
        }

        /** The announcement at {@code off} of {@code b}, or {@code orElse} if there is none (an older peer) or it is unusable. */
        static Sizes decode(byte[] b, int off, Sizes orElse) {
            if (b.length < off + 8) return orElse;
            ByteBuffer bb = ByteBuffer.wrap(b, off, b.length - off);
            int packet = bb.getInt();
            long buffer = Integer.toUnsignedLong(bb.getInt());
            int features = bb.remaining() >= 4 ? bb.getInt() : 0; // a fourth-round peer announces none
            if (packet < BASE_PACKET) return orElse; // every version accepts BASE_PACKET; smaller is nonsense
            return new Sizes(packet, buffer, features);
        }

        /**
         * The chunk (payload bytes per packet) a side whose own packets are at most {@code own} sends to
         * this peer: no bigger than the peer accepts, and small enough that {@link
         * #MIN_PACKETS_IN_BUFFER} fit its buffer (but not below a base packet's chunk), and never more
         * than one ZSSP payload at our {@code mtu}.
         */
        int chunkFor(SeqexConfig own, int mtu) {
            int header = own.maxPacketSize() - own.maxPayload();
            int chunk = Math.min(own.maxPayload(), maxPacket - header);
            if (receiveBytes > 0) chunk = (int) Math.min(chunk, Math.max(BASE_PACKET - header, receiveBytes / MIN_PACKETS_IN_BUFFER));
            return Math.min(chunk, Limits.maxPayload(mtu) - header);
        }

        /**
         * Packets of {@code chunk} bytes in flight: what the peer's buffer holds, and never more bytes
         * than {@link #MAX_SEND_BYTES} whatever a peer announces; 1..WINDOW, WINDOW of base chunks if
         * it announced none (an older peer: as before).
         */
        int sendLimit(int chunk) {
            long bytes = receiveBytes == 0 ? (long) WINDOW * BASE_PACKET : Math.min(receiveBytes, MAX_SEND_BYTES);
            return (int) Math.max(1, Math.min(WINDOW, bytes / chunk));
        }
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
     * The answer to an accepted OPEN: status OK, the listener's receive buffer for the stream's channel
     * in {@link #BASE_PACKET} packets (u16, since the second round of issue 19; the tunnel keeps at
     * most that many in flight on it), then its {@link Sizes} (packet u32, buffer u32: since the
     * fourth). An older tunnel reads what it knows; from an older listener the tunnel gets
     * base packets and the u16 buffer, or no buffer (its window).
     */
    static byte[] opened(int receiveCapacity, Sizes sizes) {
        return ByteBuffer.allocate(15).put(OK).putShort((short) Math.min(0xFFFF, receiveCapacity)).put(sizes.encode()).array();
    }

    /** The receive buffer in an OPEN answer ({@link #opened}) in base packets, clamped to 1..WINDOW; WINDOW if the listener sent none. */
    static int receiveCapacity(byte[] answer) {
        if (answer.length < 3) return WINDOW;
        int n = ((answer[1] & 0xFF) << 8) | (answer[2] & 0xFF);
        return Math.max(1, Math.min(WINDOW, n));
    }

    /** The listener's {@link Sizes} from an OPEN answer; from an older listener, base packets and the u16 buffer (if any). */
    static Sizes sizes(byte[] answer) {
        Sizes old = answer.length < 3 ? Sizes.BASE : new Sizes(BASE_PACKET, (long) receiveCapacity(answer) * BASE_PACKET);
        return Sizes.decode(answer, 3, old);
    }

    /** A PING that announces {@code sizes} (an older listener reads only its type). */
    static byte[] ping(Sizes sizes) {
        byte[] head = new Control(PING, 0, 0, "").encode();
        byte[] s = sizes.encode();
        return ByteBuffer.allocate(head.length + s.length).put(head).put(s).array();
    }

    /** The tunnel's {@link Sizes} from a PING; {@link Sizes#BASE} from an older tunnel. */
    static Sizes pingSizes(byte[] ping) {
        return Sizes.decode(ping, 7, Sizes.BASE);
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
