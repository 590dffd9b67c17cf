package dev.planetary.nic;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An address with its prefix length, as a NetworkConfig assigns it (VL.md §12.3 step 5). */
public record IpAssignment(InetAddress address, int prefix) {
    public IpAssignment {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix length must be 0.." + max + ", got " + prefix);
        }
    }

    /** Whether {@code a} (4 or 16 bytes) is of this family and lies inside {@code address/prefix}. */
    public boolean contains(byte[] a) {
        byte[] x = address.getAddress();
        if (x.length != a.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (x[i] != a[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        int mask = 0xff << (8 - rest) & 0xff;
        return rest == 0 || (x[full] & mask) == (a[full] & mask);
    }

    /** Whether {@code a} lies inside {@code address/prefix}. */
    public boolean contains(InetAddress a) {
        return contains(a.getAddress());
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefix;
    }
}
