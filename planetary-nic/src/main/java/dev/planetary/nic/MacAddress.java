package dev.planetary.nic;

import java.util.HexFormat;

/** A 48-bit Ethernet address, and the VL2 derivation of a member's MAC (VL.md §9.1). */
public record MacAddress(long value) {
    public static final MacAddress BROADCAST = new MacAddress(0xffff_ffff_ffffL);

    public MacAddress {
        if ((value & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("a MAC address is 48 bits, got " + Long.toHexString(value));
        }
    }

    /** §9.1: the MAC of node {@code address} on network {@code nwid} (V1 {@code MAC::fromAddress}). */
    public static MacAddress derive(NetworkId nwid, long address) {
        NetworkId.checkAddress(address);
        return new MacAddress(((long) firstByte(nwid) << 40 | address) ^ mask(nwid));
    }

    /** §9.1: the first byte every MAC derived for {@code nwid} carries. */
    public static int firstByte(NetworkId nwid) {
        int first = (int) (nwid.value() & 0xfe) | 0x02; // locally administered, unicast
        return first == 0x52 ? 0x32 : first;            // 0x52 is KVM/libvirt's, as in V1
    }

    /** Whether this MAC is derived for {@code nwid} (its first byte is {@link #firstByte}). */
    public boolean isDerivedFor(NetworkId nwid) {
        return (int) (value >>> 40) == firstByte(nwid);
    }

    /** §9.1 inverse: the node address this MAC was derived from on {@code nwid}. */
    public long addressOn(NetworkId nwid) {
        return (value ^ mask(nwid)) & NetworkId.ADDRESS_MASK;
    }

    /** Group bit ({@code dst[0] & 1}): multicast or broadcast. */
    public boolean isMulticast() {
        return (value >>> 40 & 1) != 0;
    }

    public byte[] toBytes() {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (value >>> (40 - 8 * i));
        }
        return b;
    }

    /** The MAC at absolute offset {@code off} of {@code b}. */
    public static MacAddress fromBuffer(java.nio.ByteBuffer b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | (b.get(off + i) & 0xff);
        }
        return new MacAddress(v);
    }

    public static MacAddress fromBytes(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return new MacAddress(v);
    }

    /** Parses {@code 02:89:e9:30:0c:27}. */
    public static MacAddress parse(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("a MAC address is six hex pairs separated by ':'");
        }
        try {
            return fromBytes(HexFormat.ofDelimiter(":").parseHex(text), 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a MAC address is six hex pairs separated by ':'");
        }
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toBytes());
    }

    private static long mask(NetworkId nwid) {
        long n = nwid.value();
        return ((n >>> 8) & 0xff) << 32
                | ((n >>> 16) & 0xff) << 24
                | ((n >>> 24) & 0xff) << 16
                | ((n >>> 32) & 0xff) << 8
                | ((n >>> 40) & 0xff);
    }
}
