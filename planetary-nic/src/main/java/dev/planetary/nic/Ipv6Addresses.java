package dev.planetary.nic;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The IPv6 addresses a member's identity implies (VL.md §9.5, §10.6). */
public final class Ipv6Addresses {
    /** §10.6: rfc4193 addresses are assigned with this prefix length. */
    public static final int RFC4193_PREFIX = 88;

    private Ipv6Addresses() {
    }

    /** §10.6: {@code fd ‖ nwid ‖ 99 93 ‖ address}, the member's rfc4193 address (prefix /88). */
    public static Inet6Address rfc4193(NetworkId nwid, long address) {
        NetworkId.checkAddress(address);
        byte[] a = new byte[16];
        a[0] = (byte) 0xfd;
        System.arraycopy(nwid.toBytes(), 0, a, 1, 8);
        a[9] = (byte) 0x99;
        a[10] = (byte) 0x93;
        for (int i = 0; i < 5; i++) {
            a[11 + i] = (byte) (address >>> (32 - 8 * i));
        }
        return toInet6(a);
    }

    /**
     * §10.6: the node address an rfc4193 address of {@code nwid} names, or -1 when the address is
     * outside {@code fd ‖ nwid ‖ 99 93 ::/88}.
     */
    public static long rfc4193Owner(NetworkId nwid, byte[] ip6) {
        byte[] prefix = rfc4193(nwid, 0).getAddress();
        for (int i = 0; i < 11; i++) {
            if (ip6[i] != prefix[i]) {
                return -1;
            }
        }
        long a = 0;
        for (int i = 11; i < 16; i++) {
            a = a << 8 | (ip6[i] & 0xff);
        }
        return a;
    }

    /** §9.5: {@code fe80::/64} with the EUI-64 interface identifier of {@code mac}. */
    public static Inet6Address linkLocal(MacAddress mac) {
        byte[] m = mac.toBytes();
        byte[] a = new byte[16];
        a[0] = (byte) 0xfe;
        a[1] = (byte) 0x80;
        a[8] = (byte) (m[0] ^ 0x02);
        a[9] = m[1];
        a[10] = m[2];
        a[11] = (byte) 0xff;
        a[12] = (byte) 0xfe;
        a[13] = m[3];
        a[14] = m[4];
        a[15] = m[5];
        return toInet6(a);
    }

    static Inet6Address toInet6(byte[] a) {
        try {
            return (Inet6Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are an IPv6 address", e);
        }
    }
}
