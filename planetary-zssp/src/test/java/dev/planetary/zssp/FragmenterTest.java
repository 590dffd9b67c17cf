package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.crypto.Bytes;
import dev.planetary.zssp.crypto.HeaderCipher;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ZFP splitting and headers (spec §10.1–§10.3) for many lengths and MTUs. */
class FragmenterTest {

    /** Captures datagrams. */
    static final class Capture implements Remote {
        final List<byte[]> datagrams = new ArrayList<>();

        @Override
        public void send(byte[] d, int off, int len) {
            byte[] c = new byte[len];
            System.arraycopy(d, off, c, 0, len);
            datagrams.add(c);
        }
    }

    static final int[] MTUS = {0, 1, 64, 127, 128, 129, 200, 576, 1280, 1400, 1432, 1500, 9000, 65_535};

    @Test
    void splitSizesAndHeadersFollowTheSpec() {
        SplittableRandom r = new SplittableRandom(10);
        int checked = 0;
        for (int mtu : MTUS) {
            int effective = Math.max(mtu, 128);
            int m = effective - 16;
            List<Integer> lengths = new ArrayList<>(List.of(16, 17, 31, 32, 33, m - 1, m, m + 1, 2 * m, 2 * m + 1, 1749, 1653, 4177, 48 * m - 1, 48 * m));
            for (int i = 0; i < 60; i++) lengths.add(16 + r.nextInt(48 * m - 15));
            for (int len : lengths) {
                if (len < 16 || len > 48 * m) continue;
                byte[] packet = new byte[len];
                r.nextBytes(packet);
                int kid = r.nextInt();
                int type = r.nextInt(10);
                long counter = r.nextLong();
                Capture cap = new Capture();
                Fragmenter.send(cap, mtu, packet, len, kid, type, counter, null);
                int count = (len + m - 1) / m;
                assertEquals(count, cap.datagrams.size(), "count for L=" + len + " mtu=" + mtu);
                assertEquals(count, Fragmenter.fragmentCount(len, mtu));
                assertTrue(count <= 48);
                int base = len / count;
                int rem = len % count;
                ByteArrayOutputStream joined = new ByteArrayOutputStream();
                for (int i = 0; i < count; i++) {
                    byte[] d = cap.datagrams.get(i);
                    assertEquals(16 + base + (i < rem ? 1 : 0), d.length, "fragment " + i + " of L=" + len + " mtu=" + mtu);
                    assertTrue(d.length <= effective, "fits the MTU");
                    assertTrue(d.length >= 32, "≥ 32 bytes, so header protection always has its block");
                    assertEquals(kid, Bytes.getInt(d, 0));
                    assertEquals(i, d[4] & 0xff, "byte 4 = fragment number (§13 D8)");
                    assertEquals(count, d[5] & 0xff, "byte 5 = count");
                    assertEquals(0, d[6], "reserved");
                    assertEquals(type, d[7]);
                    assertEquals(counter, Bytes.getLong(d, 8));
                    joined.write(d, 16, d.length - 16);
                }
                assertArrayEquals(packet, joined.toByteArray());
                checked++;
            }
        }
        assertTrue(checked > 900);
    }

    @Test
    void moreThan48FragmentsIsRefused() {
        for (int mtu : MTUS) {
            int m = Math.max(mtu, 128) - 16;
            assertEquals(48 * m - 16, Limits.maxPayload(mtu));
            Capture cap = new Capture();
            byte[] p = new byte[48 * m + 1];
            assertThrows(IllegalArgumentException.class, () -> Fragmenter.send(cap, mtu, p, p.length, 1, 8, 0, null));
            assertEquals(0, cap.datagrams.size(), "nothing sent");
            assertEquals(49, Fragmenter.fragmentCount(p.length, mtu));
        }
    }

    @Test
    void dataTooLargeForTheMtuThrowsAndSendsNothing() {
        SimNetwork net = new SimNetwork(3);
        SimNetwork.Node a = net.node("a", Settings.defaults());
        SimNetwork.Node b = net.node("b", Settings.defaults());
        net.connect(a, b, 1432);
        Session<String> s = a.open(b);
        net.runUntil(1_000);
        assertTrue(s.isEstablished());
        a.linkTo(b).mtu = 128;
        long before = a.linkTo(b).datagrams;
        assertThrows(DataTooLargeException.class, () -> s.send(new byte[Limits.maxPayload(128) + 1]));
        assertEquals(before, a.linkTo(b).datagrams);
        s.send(new byte[Limits.maxPayload(128)]);
        assertEquals(before + 48, a.linkTo(b).datagrams, "the largest payload takes exactly 48 fragments");
    }

    @Test
    void headerProtectionCoversBytes4To20() {
        byte[] key = new byte[32];
        new SplittableRandom(5).nextBytes(key);
        HeaderCipher hk = new HeaderCipher(key);
        byte[] packet = new byte[500];
        new SplittableRandom(6).nextBytes(packet);
        Capture plain = new Capture();
        Capture prot = new Capture();
        Fragmenter.send(plain, 200, packet, packet.length, 0x01020304, 8, 77, null);
        Fragmenter.send(prot, 200, packet, packet.length, 0x01020304, 8, 77, hk);
        assertEquals(plain.datagrams.size(), prot.datagrams.size());
        for (int i = 0; i < plain.datagrams.size(); i++) {
            byte[] p = plain.datagrams.get(i);
            byte[] q = prot.datagrams.get(i);
            assertArrayEquals(java.util.Arrays.copyOfRange(p, 0, 4), java.util.Arrays.copyOfRange(q, 0, 4), "the kid stays clear");
            assertArrayEquals(java.util.Arrays.copyOfRange(p, 20, p.length), java.util.Arrays.copyOfRange(q, 20, q.length), "payload after byte 20 untouched");
            assertTrue(!java.util.Arrays.equals(java.util.Arrays.copyOfRange(p, 4, 20), java.util.Arrays.copyOfRange(q, 4, 20)));
            hk.decryptBlock(q, 4);
            assertArrayEquals(p, q);
        }
    }
}
