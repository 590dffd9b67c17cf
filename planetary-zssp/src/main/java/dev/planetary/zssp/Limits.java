package dev.planetary.zssp;

import dev.planetary.zssp.crypto.ZsspConstants;

/**
 * The wire limits every layer above the engine sizes its payloads by: one place for the ZSSP
 * fragment arithmetic, so that the transport, SEQEX and the CLI cannot drift from the engine.
 */
public final class Limits {
    private Limits() {}

    // §3.4
    /** The smallest transport MTU; a smaller one is raised to it. */
    public static final int MIN_MTU = ZsspConstants.MIN_TRANSPORT_MTU;
    /** The most fragments one packet may be split into. */
    public static final int MAX_FRAGMENTS = ZsspConstants.MAX_FRAGMENTS;
    /** The bytes of each fragment's header (§10.1). */
    public static final int FRAGMENT_HEADER = ZsspConstants.HEADER_SIZE;
    /** The AES-GCM tag that ends a DATA packet. */
    public static final int TAG = ZsspConstants.TAG_SIZE;
    /**
     * The default MTU over UDP, 1432 (ZeroTier V1's; VL.md §3.1): fits a 1500-byte Ethernet frame
     * with IPv6 and UDP headers and some tunnelling slack. One fragment then carries 1400 payload bytes.
     */
    public static final int DEFAULT_MTU = 1432;
    /** The Hello's size, 1749 bytes (§5.1): sent in {@link #fragments fragments}, each its own datagram. */
    public static final int HELLO_SIZE = ZsspConstants.HELLO_SIZE;

    /** The fragments (datagrams) a packet of {@code bytes} is sent in at {@code mtu} (§10.1; above 48: it cannot be sent). */
    public static int fragments(int bytes, int mtu) {
        return Fragmenter.fragmentCount(bytes, mtu);
    }

    /**
     * The largest payload a DATA packet carries in a single fragment (one datagram) at {@code mtu}:
     * {@code max(mtu, 128) − 16 − 16}.
     */
    public static int maxUnfragmentedPayload(int mtu) {
        return Math.max(mtu, MIN_MTU) - FRAGMENT_HEADER - TAG;
    }

    /** The largest payload one DATA packet carries at {@code mtu}: {@code (max(mtu, 128) − 16) × 48 − 16} (§7.4). */
    public static int maxPayload(int mtu) {
        return (Math.max(mtu, MIN_MTU) - FRAGMENT_HEADER) * MAX_FRAGMENTS - TAG;
    }
}
