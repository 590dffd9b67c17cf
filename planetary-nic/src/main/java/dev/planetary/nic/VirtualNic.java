package dev.planetary.nic;

import java.nio.ByteBuffer;

/**
 * What the VL2 layer sees of a network's NIC (VL.md §12.1, §12.7): Ethernet frames
 * ({@code dst ‖ src ‖ ethertype ‖ payload}, no FCS) go in with {@link #send} (VL2 inbound, §9.4 step 6)
 * and come out through the {@link FrameHandler} given to {@link #start} (VL2 outbound, §9.3). A TAP
 * and the userspace NIC behave alike, so from §9.3 on the code path is the same.
 */
public interface VirtualNic extends AutoCloseable {
    /** Receives the frames the NIC emits (what the host's stack, or the userspace stack, sends). */
    @FunctionalInterface
    interface FrameHandler {
        /** {@code frame} is valid only during the call: copy what must be kept. */
        void onFrame(ByteBuffer frame);
    }

    /** The NIC's own MAC address. */
    MacAddress mac();

    /** Starts delivering emitted frames to {@code handler}; at most once. */
    void start(FrameHandler handler);

    /** Hands one frame to the NIC (position to limit). Malformed frames are dropped and counted, never thrown. */
    void send(ByteBuffer frame);

    /**
     * The multicast groups the host's stack joined on this NIC beyond those VL2 derives from the
     * config (VL.md §12.5): a TAP reads the kernel's; the userspace NIC has none. Bounded, may do I/O.
     */
    default java.util.Set<MacAddress> joinedGroups() {
        return java.util.Set.of();
    }

    /** Stops delivering frames and releases the device; idempotent. */
    @Override
    void close();
}
