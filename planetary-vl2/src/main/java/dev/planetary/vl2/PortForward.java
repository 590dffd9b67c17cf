package dev.planetary.vl2;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.Rejection;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import dev.planetary.vl1.Vl1Limits;
import java.net.InetAddress;

/**
 * PORT_FORWARD ({@code 0x1c}, §12.8), carried on SEQEX channel 3: {@code 0x1c ‖ u8 op ‖ u32 stream id ‖
 * op body}. OPEN: {@code u64 nwid ‖ u8 family (4/6) ‖ address (4/16) ‖ u16 port}; OPEN_OK: nothing;
 * DATA: 1..{@value Vl2Limits#PORT_FORWARD_MAX_DATA} bytes; CLOSE: {@code u8 reason}. The stream id is
 * chosen by the opener; its top bit is 1 iff the opener was the session's ZSSP initiator
 * ({@link #streamId}). Not a {@link Vl2Message}: only OPEN names a network.
 */
public sealed interface PortForward permits PortForward.Open, PortForward.OpenOk, PortForward.Data, PortForward.Close {
    /** §12.8 op codes. */
    int OP_OPEN = 1, OP_OPEN_OK = 2, OP_DATA = 3, OP_CLOSE = 4;
    /** §12.8 CLOSE reasons; a peer may send others (any u8), which a receiver treats as {@link #REASON_ERROR}. */
    int REASON_NORMAL = 0, REASON_NOT_EXPOSED = 1, REASON_DENIED = 2, REASON_ERROR = 3;
    /** The top bit of a stream id: set iff the opener was the session's ZSSP initiator (§12.8). */
    int INITIATOR_BIT = 0x8000_0000;

    /** The opener's stream id (u32 as an int). */
    int streamId();

    int op();

    /** The wire form, {@code 0x1c ‖ op ‖ stream id ‖ body}. */
    byte[] encode();

    /** Whether the stream was opened by the session's ZSSP initiator (§12.8). */
    default boolean openedByInitiator() {
        return (streamId() & INITIATOR_BIT) != 0;
    }

    /** The stream id for the opener's {@code counter}-th stream (low 31 bits), top bit from its ZSSP role. */
    static int streamId(boolean openerIsInitiator, int counter) {
        return (counter & ~INITIATOR_BIT) | (openerIsInitiator ? INITIATOR_BIT : 0);
    }

    /** Decodes one whole message; never throws on hostile bytes, accepts only the canonical encoding. */
    static Decoded<PortForward> decode(byte[] b) {
        if (b != null && b.length > Vl1Limits.MAX_VL1_MESSAGE) {
            return Decoded.invalid(Rejection.LENGTH, "message of " + b.length + " bytes exceeds MAX_VL1_MESSAGE");
        }
        return Codec.decode(b, in -> {
            Vl2Codec.expectVerb(in, Verb.PORT_FORWARD);
            int op = Codec.u8(in);
            int id = in.getInt();
            return switch (op) {
                case OP_OPEN -> {
                    NetworkId nwid = Codec.networkId(in);
                    InetAddress target = Codec.ip(in, Codec.u8(in));
                    yield new Open(id, nwid, target, Codec.u16(in));
                }
                case OP_OPEN_OK -> new OpenOk(id);
                case OP_DATA -> new Data(id, Bytes.of(Codec.rest(in)));
                case OP_CLOSE -> new Close(id, Codec.u8(in));
                default -> throw Codec.bad("unknown PORT_FORWARD op " + op);
            };
        });
    }

    /** Bytes before a message's body: verb ‖ op ‖ stream id (§12.8). */
    int HEADER = 6;

    private static Codec.Out header(int op, int streamId, int size) {
        return new Codec.Out(HEADER + size).u8(Verb.PORT_FORWARD).u8(op).u32(streamId & 0xffff_ffffL);
    }

    /** OPEN: the opener asks for a stream to {@code target:port} on network {@code networkId}. */
    record Open(int streamId, NetworkId networkId, InetAddress target, int port) implements PortForward {
        public Open {
            Codec.nonNull(networkId, "network id");
            Codec.ipBytes(Codec.nonNull(target, "target address"));
            Codec.requireRange(port, 1, 65_535, "target port");
        }

        @Override
        public int op() {
            return OP_OPEN;
        }

        @Override
        public byte[] encode() {
            return header(OP_OPEN, streamId, 27).u64(networkId.value()).u8(Codec.family(target)).ip(target).u16(port).toByteArray();
        }
    }

    /** OPEN_OK: the target connected its local socket; the stream is open. */
    record OpenOk(int streamId) implements PortForward {
        @Override
        public int op() {
            return OP_OPEN_OK;
        }

        @Override
        public byte[] encode() {
            return header(OP_OPEN_OK, streamId, 0).toByteArray();
        }
    }

    /** DATA: 1..{@value Vl2Limits#PORT_FORWARD_MAX_DATA} bytes of the stream, in order. */
    record Data(int streamId, Bytes data) implements PortForward {
        public Data {
            Codec.requireRange(Codec.nonNull(data, "data").length(), 1, Vl2Limits.PORT_FORWARD_MAX_DATA, "DATA length");
        }

        @Override
        public int op() {
            return OP_DATA;
        }

        @Override
        public byte[] encode() {
            byte[] m = dataHeader(streamId, data.length());
            data.copyTo(m, HEADER);
            return m;
        }

        /** The encoding of DATA carrying {@code b[off, off+len)}, straight from a read buffer (one copy: the sender's hot path). */
        public static byte[] encode(int streamId, byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, Codec.nonNull(b, "data").length);
            byte[] m = dataHeader(streamId, len);
            System.arraycopy(b, off, m, HEADER, len);
            return m;
        }

        private static byte[] dataHeader(int streamId, int len) {
            Codec.requireRange(len, 1, Vl2Limits.PORT_FORWARD_MAX_DATA, "DATA length");
            byte[] m = new byte[HEADER + len];
            java.nio.ByteBuffer.wrap(m).put((byte) Verb.PORT_FORWARD).put((byte) OP_DATA).putInt(streamId); // as header(): big-endian
            return m;
        }
    }

    /** CLOSE: either side ends the stream (or the target refuses an OPEN) with a reason (§12.8). */
    record Close(int streamId, int reason) implements PortForward {
        public Close {
            Codec.requireRange(reason, 0, 255, "CLOSE reason");
        }

        @Override
        public int op() {
            return OP_CLOSE;
        }

        @Override
        public byte[] encode() {
            return header(OP_CLOSE, streamId, 1).u8(reason).toByteArray();
        }
    }
}
