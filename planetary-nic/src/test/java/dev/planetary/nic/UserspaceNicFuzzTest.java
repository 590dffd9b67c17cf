package dev.planetary.nic;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Fuzzes the userspace NIC's receive path (VL.md §12.7) with mutated ARP, UDP, ICMP and NDP frames
 * and raw bytes. Invariant: every frame is either used or counted as one drop, never an exception.
 * Jazzer 0.24's instrumentation cannot read Java 25 class files (this module's release), so until it
 * can, the run is mutation without coverage feedback (about two million frames in 10 s).
 */
class UserspaceNicFuzzTest {
    private static UserspaceNic nic;
    private static byte[][] templates;

    private static synchronized void init() throws Exception {
        if (nic != null) {
            return;
        }
        NetworkId nwid = NetworkId.parse("8056c2e21c000001");
        MacAddress me = MacAddress.derive(nwid, 0xf3da19d0f4L);
        MacAddress them = MacAddress.derive(nwid, 0x89e92ceee5L);
        Inet4Address mine = (Inet4Address) InetAddress.getByName("10.147.17.2");
        Inet4Address theirs = (Inet4Address) InetAddress.getByName("10.147.17.1");
        nic = new UserspaceNic(me, mine, 24);
        nic.addIpv6(Ipv6Addresses.rfc4193(nwid, 0xf3da19d0f4L));
        nic.echoUdp(7);
        nic.start(f -> { });
        byte[] icmp = new byte[16];
        icmp[0] = 8;
        int c = Packets.fold(Packets.sum(ByteBuffer.wrap(icmp), 0, icmp.length, 0));
        icmp[2] = (byte) (c >> 8);
        icmp[3] = (byte) c;
        byte[] ping = UserspaceNicTest.Frames.udp4(me, them, theirs, mine, 1, 7, icmp);
        ping[23] = 1; // protocol ICMP: the UDP header bytes become the echo request's
        System.arraycopy(icmp, 0, ping, 34, icmp.length);
        UserspaceNicTest.Frames.reChecksum(ping);
        byte[] ns = new byte[32];
        ns[0] = (byte) 135;
        System.arraycopy(Ipv6Addresses.rfc4193(nwid, 0xf3da19d0f4L).getAddress(), 0, ns, 8, 16);
        ns[24] = 1;
        ns[25] = 1;
        templates = new byte[][] {
            UserspaceNicTest.Frames.arpRequest(them, theirs, mine),
            UserspaceNicTest.Frames.udp4(me, them, theirs, mine, 4000, 7, new byte[24]),
            ping,
            UserspaceNicTest.Frames.ipv6(me, them, Ipv6Addresses.linkLocal(them).getAddress(),
                    Ipv6Addresses.rfc4193(nwid, 0xf3da19d0f4L).getAddress(), 255, ns),
        };
    }

    public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
        init();
        byte[] f;
        if (data.consumeBoolean()) {
            f = templates[data.consumeInt(0, templates.length - 1)].clone();
            int n = data.consumeInt(0, 8);
            for (int i = 0; i < n; i++) {
                f[data.consumeInt(0, f.length - 1)] ^= (byte) data.consumeInt(1, 255);
            }
            if (data.consumeBoolean()) {
                f = Arrays.copyOf(f, data.consumeInt(0, f.length + 8));
            }
        } else {
            f = data.consumeRemainingAsBytes();
        }
        long before = nic.drops() + nic.delivered();
        nic.send(ByteBuffer.wrap(f));
        if (nic.drops() + nic.delivered() != before + 1) {
            throw new AssertionError("a frame was neither used nor counted once");
        }
    }

    @FuzzTest(maxDuration = "10s")
    void receive(FuzzedDataProvider data) throws Exception {
        fuzzerTestOneInput(data);
    }
}
