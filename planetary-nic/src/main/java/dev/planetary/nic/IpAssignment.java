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

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefix;
    }
}
