package dev.planetary.vl1;

/**
 * ECHO ({@code 0x08}; heartbeat, path probe, RTT) (§3.8):
 * {@code 0x08 ‖ u32 request id ‖ u8 flags ‖ u64 sender's monotonic timestamp}. Flags: bit0 path probe,
 * bit1 heartbeat; other bits are kept as sent. The timestamp is opaque to the receiver, which echoes it
 * in {@link Ok.EchoReply} over the same path.
 */
public record Echo(int requestId, int flags, long timestamp) implements Vl1Message {
    public static final int PATH_PROBE = 0x01;
    public static final int HEARTBEAT = 0x02;

    public Echo {
        Vl1Message.requireRequestId(requestId, "ECHO");
        Vl1Message.requireU8(flags, "ECHO flags");
    }

    @Override
    public int verb() {
        return Verb.ECHO;
    }

    public boolean isPathProbe() {
        return (flags & PATH_PROBE) != 0;
    }

    public boolean isHeartbeat() {
        return (flags & HEARTBEAT) != 0;
    }
}
