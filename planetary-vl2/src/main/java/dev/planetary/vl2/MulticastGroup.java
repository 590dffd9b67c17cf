package dev.planetary.vl2;

import dev.planetary.nic.MacAddress;
import java.nio.ByteBuffer;

/** A multicast group (§10.1): a multicast MAC plus a u32 "additional distinguishing information". */
public record MulticastGroup(MacAddress mac, long adi) {
    static final int BYTES = 10;

    public MulticastGroup {
        Codec.nonNull(mac, "group MAC");
        Codec.requireU32(adi, "ADI");
    }

    /** The broadcast group for ARP requests to IPv4 {@code address} (§10.1): (ff:ff:ff:ff:ff:ff, address). */
    public static MulticastGroup arp(java.net.Inet4Address address) {
        return new MulticastGroup(MacAddress.BROADCAST, ByteBuffer.wrap(address.getAddress()).getInt() & 0xffff_ffffL);
    }

    void write(Codec.Out o) {
        o.mac(mac).u32(adi);
    }

    static MulticastGroup read(ByteBuffer in) {
        return new MulticastGroup(Codec.mac(in), Codec.u32(in));
    }
}
