package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** VL.md §10.6 NDP emulation on crafted solicitations (the kernel's own are in TapNamespaceTest). */
class NdpEmulatorTest {
    static final NetworkId NWID = NetworkId.parse("8056c2e21c000001");
    static final long A = 0x89e92ceee5L;
    static final long B = 0xf3da19d0f4L;
    final MacAddress macA = MacAddress.derive(NWID, A);
    final NdpEmulator atA = new NdpEmulator(NWID, A);

    private byte[] solicitation(byte[] src, byte[] target) throws Exception {
        return UserspaceNicTest.Frames.solicitation(macA, src, target);
    }

    @Test
    void anotherMembersRfc4193TargetIsAnsweredWithItsDerivedMac() throws Exception {
        byte[] src = Ipv6Addresses.rfc4193(NWID, A).getAddress();
        byte[] target = Ipv6Addresses.rfc4193(NWID, B).getAddress();
        ByteBuffer na = atA.answer(ByteBuffer.wrap(solicitation(src, target)));
        assertNotNull(na);
        byte[] f = new byte[na.remaining()];
        na.get(f);
        MacAddress macB = MacAddress.derive(NWID, B);
        assertArrayEquals(macA.toBytes(), Arrays.copyOfRange(f, 0, 6), "to the soliciting MAC");
        assertArrayEquals(macB.toBytes(), Arrays.copyOfRange(f, 6, 12), "from MAC(nwid, owner)");
        assertArrayEquals(target, Arrays.copyOfRange(f, 22, 38), "source = target");
        assertArrayEquals(src, Arrays.copyOfRange(f, 38, 54), "destination = NS source");
        assertEquals(136, f[54] & 0xff);
        assertEquals(0x60, f[58] & 0xff, "solicited and override");
        assertArrayEquals(target, Arrays.copyOfRange(f, 62, 78));
        assertArrayEquals(macB.toBytes(), Arrays.copyOfRange(f, 80, 86), "target link-layer address");
        assertEquals(0, UserspaceNicTest.Frames.icmp6Check(f));
    }

    @Test
    void ownAddressDadOtherNetworksAndHostileFramesAreNotAnswered() throws Exception {
        byte[] src = Ipv6Addresses.rfc4193(NWID, A).getAddress();
        assertNull(atA.answer(ByteBuffer.wrap(solicitation(src, Ipv6Addresses.rfc4193(NWID, A).getAddress()))), "own address");
        assertNull(atA.answer(ByteBuffer.wrap(solicitation(new byte[16], Ipv6Addresses.rfc4193(NWID, B).getAddress()))), "DAD");
        assertNull(atA.answer(ByteBuffer.wrap(solicitation(src,
                Ipv6Addresses.rfc4193(new NetworkId(0x8056c2e21c000002L), B).getAddress()))), "another network");
        assertNull(atA.answer(ByteBuffer.wrap(solicitation(src, InetAddress.getByName("fd00::1").getAddress()))), "a pool address");
        byte[] good = solicitation(src, Ipv6Addresses.rfc4193(NWID, B).getAddress());
        byte[] badSum = good.clone();
        badSum[good.length - 1] ^= 1;
        assertNull(atA.answer(ByteBuffer.wrap(badSum)), "checksum");
        byte[] hop = good.clone();
        hop[21] = 64;
        assertNull(atA.answer(ByteBuffer.wrap(hop)), "hop limit must be 255 (RFC 4861)");
        Random r = new Random(7);
        for (int i = 0; i < 20_000; i++) { // never throws
            byte[] f = i % 2 == 0 ? new byte[r.nextInt(120)] : good.clone();
            if (i % 2 == 0) {
                r.nextBytes(f);
            } else {
                f[r.nextInt(f.length)] ^= (byte) (1 + r.nextInt(255));
                f = Arrays.copyOf(f, r.nextInt(f.length + 4));
            }
            atA.answer(ByteBuffer.wrap(f));
        }
    }
}
