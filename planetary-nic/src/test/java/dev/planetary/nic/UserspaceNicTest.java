package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** VL.md §12.7: two userspace NICs on an in-memory wire, and hostile frames fed to one. */
class UserspaceNicTest {
    static final NetworkId NWID = NetworkId.parse("8056c2e21c000001");
    static final long ADDR_A = 0x89e92ceee5L;
    static final long ADDR_B = 0xf3da19d0f4L;

    private final ExecutorService aToB = Executors.newSingleThreadExecutor();
    private final ExecutorService bToA = Executors.newSingleThreadExecutor();
    private UserspaceNic a;
    private UserspaceNic b;

    static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    @BeforeEach
    void wire() throws Exception {
        a = new UserspaceNic(MacAddress.derive(NWID, ADDR_A), ip("10.147.17.1"), 24);
        b = new UserspaceNic(MacAddress.derive(NWID, ADDR_B), ip("10.147.17.2"), 24);
        // The wire copies each frame (the handler's buffer is only valid during the call) and hands it
        // over on another thread, as a TAP reader or VL2 would.
        a.start(f -> deliver(aToB, f, b));
        b.start(f -> deliver(bToA, f, a));
    }

    private static void deliver(ExecutorService ex, ByteBuffer f, UserspaceNic to) {
        byte[] copy = new byte[f.remaining()];
        f.get(copy);
        ex.execute(() -> to.send(ByteBuffer.wrap(copy)));
    }

    @AfterEach
    void unwire() {
        aToB.shutdownNow();
        bToA.shutdownNow();
        a.close();
        b.close();
    }

    @Test
    void arpResolvesAndEchoRoundTrips() throws Exception {
        assertNull(a.arpEntry(b.ipv4()));
        Duration rtt = a.ping(b.ipv4(), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        assertNotNull(rtt);
        assertEquals(b.mac(), a.arpEntry(b.ipv4()), "A learnt B's MAC from the ARP reply");
        assertEquals(a.mac(), b.arpEntry(a.ipv4()), "B learnt A's MAC from the ARP request");
        a.ping(b.ipv4(), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS); // cached path
        b.ping(a.ipv4(), Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        assertEquals(0, a.pending());
        assertEquals(0, b.pending());
        assertEquals(0, a.drops());
        assertEquals(0, b.drops());
    }

    @Test
    void ping6ResolvesByNeighbourSolicitationForLinkLocalAndOtherAddresses() throws Exception {
        Inet6Address bRfc = Ipv6Addresses.rfc4193(NWID, ADDR_B);
        Inet6Address aRfc = Ipv6Addresses.rfc4193(NWID, ADDR_A);
        a.addIpv6(aRfc);
        b.addIpv6(bRfc);
        Inet6Address bLinkLocal = Ipv6Addresses.linkLocal(b.mac());
        assertNull(a.neighbourEntry(bRfc));
        assertTrue(a.ping(bRfc, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS).toNanos() > 0);
        assertEquals(b.mac(), a.neighbourEntry(bRfc), "learnt from B's advertisement");
        a.ping(bLinkLocal, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        b.ping(aRfc, Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        assertEquals(0, a.drops() + b.drops());
        assertEquals(0, a.pending());
        var nobody = a.ping(Ipv6Addresses.rfc4193(NWID, 0x0102030405L), Duration.ofMillis(200));
        assertThrows(ExecutionException.class, () -> nobody.get(5, TimeUnit.SECONDS));
    }

    @Test
    void pingToNobodyTimesOut() throws Exception {
        var f = a.ping(ip("10.147.17.99"), Duration.ofMillis(200));
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof java.util.concurrent.TimeoutException, e.toString());
        for (int i = 0; i < 100 && a.pending() > 0; i++) {
            Thread.sleep(50); // the resolution's own timer may fire a moment after the ping's
        }
        assertEquals(0, a.pending(), "timed-out pings and resolutions leave no entries");
    }

    @Test
    void pingToABroadcastAddressGoesToTheBroadcastMacWithoutArp() throws Exception {
        List<byte[]> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
        UserspaceNic c = new UserspaceNic(MacAddress.derive(NWID, 0x1122334455L), ip("10.147.17.3"), 24);
        c.start(f -> {
            byte[] copy = new byte[f.remaining()];
            f.get(copy);
            sent.add(copy);
        });
        for (String bcast : List.of("10.147.17.255", "255.255.255.255")) {
            sent.clear();
            c.ping(ip(bcast), Duration.ofMillis(50));
            assertEquals(1, sent.size(), bcast + ": one frame, no ARP first");
            ByteBuffer f = ByteBuffer.wrap(sent.get(0));
            assertEquals(MacAddress.BROADCAST, MacAddress.fromBuffer(f, 0), bcast);
            assertEquals(0x0800, f.getShort(12) & 0xffff, bcast + ": IPv4, not ARP");
        }
        sent.clear();
        c.ping(ip("10.147.18.255"), Duration.ofMillis(50)); // another subnet's: an ARP request, as for any address
        assertEquals(0x0806, ByteBuffer.wrap(sent.get(0)).getShort(12) & 0xffff);
        c.close();
    }

    @Test
    void udpDatagramsAreDeliveredAndEchoed() throws Exception {
        LinkedBlockingQueue<String> atB = new LinkedBlockingQueue<>();
        b.bindUdp(9993, (src, sport, port, payload) -> {
            byte[] d = new byte[payload.remaining()];
            payload.get(d);
            atB.add(src.getHostAddress() + ":" + sport + ">" + port + " " + new String(d, StandardCharsets.UTF_8));
        });
        a.sendUdp(b.ipv4(), 4000, 9993, "hello".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        assertEquals("10.147.17.1:4000>9993 hello", atB.poll(30, TimeUnit.SECONDS));

        b.echoUdp(7);
        LinkedBlockingQueue<byte[]> atA = new LinkedBlockingQueue<>();
        a.bindUdp(4001, (src, sport, port, payload) -> {
            byte[] d = new byte[payload.remaining()];
            payload.get(d);
            atA.add(d);
        });
        byte[] big = new byte[1400];
        new Random(1).nextBytes(big);
        a.sendUdp(b.ipv4(), 4001, 7, big).get(30, TimeUnit.SECONDS);
        assertArrayEquals(big, atA.poll(30, TimeUnit.SECONDS));
    }

    @Test
    void neighbourSolicitationAndEcho6AreAnswered() throws Exception {
        Inet6Address bRfc = Ipv6Addresses.rfc4193(NWID, ADDR_B);
        b.addIpv6(bRfc);
        List<byte[]> out = new ArrayList<>();
        UserspaceNic lone = new UserspaceNic(b.mac(), b.ipv4(), 24);
        lone.addIpv6(bRfc);
        lone.start(f -> {
            byte[] c = new byte[f.remaining()];
            f.get(c);
            out.add(c);
        });
        byte[] src = Ipv6Addresses.linkLocal(a.mac()).getAddress();
        byte[] solicited = InetAddress.getByName("ff02::1:ff19:d0f4").getAddress();
        byte[] ns = new byte[32];
        ns[0] = (byte) 135;
        System.arraycopy(bRfc.getAddress(), 0, ns, 8, 16);
        ns[24] = 1;
        ns[25] = 1;
        System.arraycopy(a.mac().toBytes(), 0, ns, 26, 6);
        lone.send(ByteBuffer.wrap(Frames.ipv6(new MacAddress(0x3333ff19d0f4L), a.mac(), src, solicited, 255, ns)));
        assertEquals(1, out.size(), "one neighbour advertisement");
        ByteBuffer na = ByteBuffer.wrap(out.getFirst());
        assertEquals(136, na.get(14 + 40) & 0xff);
        assertEquals(0x60, na.get(14 + 44) & 0xff, "solicited and override");
        assertArrayEquals(bRfc.getAddress(), java.util.Arrays.copyOfRange(out.getFirst(), 14 + 48, 14 + 64));
        assertArrayEquals(b.mac().toBytes(), java.util.Arrays.copyOfRange(out.getFirst(), 14 + 66, 14 + 72));
        assertEquals(0, Frames.icmp6Check(out.getFirst()), "NA checksum verifies");

        byte[] echo = new byte[16];
        echo[0] = (byte) 128;
        echo[4] = 0x12;
        lone.send(ByteBuffer.wrap(Frames.ipv6(b.mac(), a.mac(), src, bRfc.getAddress(), 64, echo)));
        assertEquals(2, out.size());
        assertEquals(129, out.get(1)[14 + 40] & 0xff, "echo reply");
        assertEquals(0, Frames.icmp6Check(out.get(1)));

        // DAD probe (source ::) is not answered, §10.6
        lone.send(ByteBuffer.wrap(Frames.ipv6(new MacAddress(0x3333ff19d0f4L), a.mac(), new byte[16], solicited, 255, ns)));
        assertEquals(2, out.size());
        assertEquals(0, lone.drops(NicDrop.BAD_CHECKSUM));
    }

    @Test
    void malformedFramesAreDroppedAndCountedNeverThrown() throws Exception {
        UserspaceNic n = b;
        MacAddress them = a.mac();
        Inet4Address src = a.ipv4();
        Inet4Address dst = b.ipv4();
        byte[] goodUdp = Frames.udp4(n.mac(), them, src, dst, 1000, 9999, new byte[4]);

        expect(n, NicDrop.TRUNCATED, new byte[0]);
        expect(n, NicDrop.TRUNCATED, new byte[13]);
        expect(n, NicDrop.NOT_OUR_MAC, Frames.with(goodUdp, f -> f[5] ^= 1));
        expect(n, NicDrop.UNSUPPORTED, Frames.with(goodUdp, f -> { f[12] = (byte) 0x88; f[13] = (byte) 0xb5; }));
        expect(n, NicDrop.NO_LISTENER, goodUdp);
        n.bindUdp(9999, (s, sp, p, d) -> {
            throw new IllegalStateException("a broken application");
        });
        expect(n, NicDrop.HANDLER_FAULT, goodUdp);
        n.bindUdp(9999, (s, sp, p, d) -> { });
        n.send(ByteBuffer.wrap(goodUdp));
        assertEquals(1, n.delivered());
        n.bindUdp(9999, (s, sp, p, d) -> {
            throw new IllegalStateException("a broken application");
        });
        expect(n, NicDrop.BAD_IP_HEADER, Frames.with(goodUdp, f -> f[14 + 10] ^= 1));        // header checksum
        expect(n, NicDrop.BAD_IP_HEADER, Frames.with(goodUdp, f -> f[14] = 0x65));          // version 6 in v4
        expect(n, NicDrop.BAD_IP_HEADER, Frames.reChecksum(Frames.with(goodUdp, f -> f[14 + 2] = 0x7f)));  // length past end
        expect(n, NicDrop.FRAGMENT, Frames.reChecksum(Frames.with(goodUdp, f -> f[14 + 6] = 0x20)));      // MF
        expect(n, NicDrop.NOT_OUR_IP, Frames.reChecksum(Frames.with(goodUdp, f -> f[14 + 19] = 9)));
        expect(n, NicDrop.BAD_CHECKSUM, Frames.with(goodUdp, f -> f[f.length - 1] ^= 0x40));  // UDP checksum
        expect(n, NicDrop.TRUNCATED, Frames.with(goodUdp, f -> { f[14 + 24] = 0x7f; f[14 + 26] = 0; f[14 + 27] = 0; }));
        expect(n, NicDrop.UNSUPPORTED, Frames.reChecksum(Frames.with(goodUdp, f -> f[14 + 9] = 6)));    // TCP
        byte[] arp = Frames.arpRequest(them, src, dst);
        expect(n, NicDrop.TRUNCATED, java.util.Arrays.copyOf(arp, 30));
        expect(n, NicDrop.BAD_ARP, Frames.with(arp, f -> f[15] = 9));                         // htype
        expect(n, NicDrop.BAD_ARP, Frames.with(arp, f -> f[14 + 7] = 7));                     // opcode
        expect(n, NicDrop.BAD_ARP, Frames.with(arp, f -> f[14 + 8] = 1));                     // multicast sender
        byte[] v6 = new byte[14 + 20];
        System.arraycopy(n.mac().toBytes(), 0, v6, 0, 6);
        v6[12] = (byte) 0x86;
        v6[13] = (byte) 0xdd;
        expect(n, NicDrop.TRUNCATED, v6);
        assertEquals(1, n.delivered());

        // random garbage of every shape: counted, never thrown (seeded mutation stands in for Jazzer,
        // whose instrumentation cannot read this module's Java 25 class files)
        Random r = new Random(42);
        long before = n.drops() + n.delivered();
        int count = 200_000;
        for (int i = 0; i < count; i++) {
            byte[] f = r.nextInt(4) == 0 ? new byte[r.nextInt(80)] : Frames.with(i % 2 == 0 ? goodUdp : arp, x -> {
                for (int k = r.nextInt(4); k >= 0; k--) {
                    x[r.nextInt(x.length)] = (byte) r.nextInt();
                }
            });
            if (f.length > 0 && r.nextBoolean()) {
                r.nextBytes(f);
                System.arraycopy(n.mac().toBytes(), 0, f, 0, Math.min(6, f.length));
            }
            n.send(ByteBuffer.wrap(f));
        }
        assertEquals(before + count, n.drops() + n.delivered(), "every frame is either used or counted");
    }

    private static void expect(UserspaceNic n, NicDrop reason, byte[] frame) {
        long before = n.drops(reason);
        n.send(ByteBuffer.wrap(frame));
        assertEquals(before + 1, n.drops(reason), reason + " for " + java.util.HexFormat.of().formatHex(frame));
    }

    @Test
    void misuseIsNamed() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new UserspaceNic(MacAddress.BROADCAST, ip("10.0.0.1"), 24));
        assertThrows(IllegalArgumentException.class, () -> a.bindUdp(0, (s, sp, p, d) -> { }));
        assertThrows(IllegalStateException.class, () -> a.start(f -> { }));
        assertThrows(IllegalArgumentException.class, () -> a.sendUdp(b.ipv4(), 1, 2, new byte[70_000]));
    }

    /** Frame builders for tests (independent of the stack's own emit path). */
    static final class Frames {
        static byte[] with(byte[] f, Consumer<byte[]> edit) {
            byte[] c = f.clone();
            edit.accept(c);
            return c;
        }

        static byte[] reChecksum(byte[] f) {
            f[24] = 0;
            f[25] = 0;
            int c = Packets.fold(Packets.sum(ByteBuffer.wrap(f), 14, 20, 0));
            f[24] = (byte) (c >> 8);
            f[25] = (byte) c;
            return f;
        }

        static byte[] eth(MacAddress dst, MacAddress src, int type, int len) {
            byte[] f = new byte[14 + len];
            System.arraycopy(dst.toBytes(), 0, f, 0, 6);
            System.arraycopy(src.toBytes(), 0, f, 6, 6);
            f[12] = (byte) (type >> 8);
            f[13] = (byte) type;
            return f;
        }

        static byte[] udp4(MacAddress dst, MacAddress src, Inet4Address s, Inet4Address d, int sp, int dp, byte[] data) {
            int ul = 8 + data.length;
            byte[] f = eth(dst, src, 0x0800, 20 + ul);
            f[14] = 0x45;
            f[16] = (byte) ((20 + ul) >> 8);
            f[17] = (byte) (20 + ul);
            f[22] = 64;
            f[23] = 17;
            System.arraycopy(s.getAddress(), 0, f, 26, 4);
            System.arraycopy(d.getAddress(), 0, f, 30, 4);
            reChecksum(f);
            f[34] = (byte) (sp >> 8);
            f[35] = (byte) sp;
            f[36] = (byte) (dp >> 8);
            f[37] = (byte) dp;
            f[38] = (byte) (ul >> 8);
            f[39] = (byte) ul;
            System.arraycopy(data, 0, f, 42, data.length);
            ByteBuffer b = ByteBuffer.wrap(f);
            int c = Packets.fold(Packets.pseudo(b, 26, 30, 4, 17, ul) + Packets.sum(b, 34, ul, 0));
            f[40] = (byte) (c >> 8);
            f[41] = (byte) c;
            return f;
        }

        static byte[] arpRequest(MacAddress src, Inet4Address spa, Inet4Address tpa) {
            byte[] f = eth(MacAddress.BROADCAST, src, 0x0806, 28);
            byte[] h = {0, 1, 8, 0, 6, 4, 0, 1};
            System.arraycopy(h, 0, f, 14, 8);
            System.arraycopy(src.toBytes(), 0, f, 22, 6);
            System.arraycopy(spa.getAddress(), 0, f, 28, 4);
            System.arraycopy(tpa.getAddress(), 0, f, 38, 4);
            return f;
        }

        static byte[] ipv6(MacAddress dst, MacAddress srcMac, byte[] src, byte[] dstIp, int hop, byte[] icmp6) {
            byte[] f = eth(dst, srcMac, 0x86dd, 40 + icmp6.length);
            f[14] = 0x60;
            f[18] = (byte) (icmp6.length >> 8);
            f[19] = (byte) icmp6.length;
            f[20] = 58;
            f[21] = (byte) hop;
            System.arraycopy(src, 0, f, 22, 16);
            System.arraycopy(dstIp, 0, f, 38, 16);
            System.arraycopy(icmp6, 0, f, 54, icmp6.length);
            f[56] = 0;
            f[57] = 0;
            int c = icmp6Sum(f);
            f[56] = (byte) (c >> 8);
            f[57] = (byte) c;
            return f;
        }

        /** A neighbour solicitation from {@code from}/{@code src} for {@code target}, to its solicited-node group. */
        static byte[] solicitation(MacAddress from, byte[] src, byte[] target) throws Exception {
            byte[] ns = new byte[32];
            ns[0] = (byte) 135;
            System.arraycopy(target, 0, ns, 8, 16);
            ns[24] = 1;
            ns[25] = 1;
            System.arraycopy(from.toBytes(), 0, ns, 26, 6);
            byte[] group = InetAddress.getByName("ff02::1:ff00:0").getAddress();
            System.arraycopy(target, 13, group, 13, 3);
            return ipv6(new MacAddress(0x3333ff000000L | (target[13] & 0xff) << 16
                    | (target[14] & 0xff) << 8 | (target[15] & 0xff)), from, src, group, 255, ns);
        }

        static int icmp6Sum(byte[] f) {
            ByteBuffer b = ByteBuffer.wrap(f);
            int len = f.length - 54;
            return Packets.fold(Packets.pseudo(b, 22, 38, 16, 58, len) + Packets.sum(b, 54, len, 0));
        }

        /** 0 when the frame's ICMPv6 checksum verifies. */
        static int icmp6Check(byte[] f) {
            return icmp6Sum(f);
        }
    }
}
