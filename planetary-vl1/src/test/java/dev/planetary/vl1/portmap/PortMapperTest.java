package dev.planetary.vl1.portmap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PCP / NAT-PMP codec against the RFCs' layouts, and the §5.9 state machine on a virtual clock. */
class PortMapperTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] NONCE = HEX.parseHex("0102030405060708090a0b0c");
    private static final Inet4Address CLIENT = v4("192.168.1.10");
    private static final int PORT = 9993;

    private static Inet4Address v4(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    // ------------------------------------------------------------------ codec vectors (RFC layouts)

    @Test
    void pcpMapRequestFollowsRfc6887Layout() {
        byte[] r = PortMapMessages.pcpMapRequest(CLIENT, PORT, PORT, 7200, NONCE);
        // RFC 6887 §7.1 header: version 2, R=0 opcode MAP, reserved, lifetime, client IP (IPv4-mapped)
        // §11.1 MAP: nonce, protocol 17, 3 reserved, internal port, suggested external port, suggested external IP
        assertEquals("0201" + "0000" + "00001c20" + "00000000000000000000ffff" + "c0a8010a"
                + "0102030405060708090a0b0c" + "11" + "000000" + "2709" + "2709" + "00000000000000000000ffff" + "00000000",
                HEX.formatHex(r));
    }

    @Test
    void natPmpRequestsFollowRfc6886Layout() {
        assertEquals("0000", HEX.formatHex(PortMapMessages.natPmpAddressRequest()));
        // §3.3: version 0, opcode 1 (UDP), reserved, internal port, suggested external port, lifetime
        assertEquals("0001" + "0000" + "2709" + "2709" + "00001c20", HEX.formatHex(PortMapMessages.natPmpMapRequest(PORT, PORT, 7200)));
        assertEquals("0001000027090000" + "00000000", HEX.formatHex(PortMapMessages.natPmpMapRequest(PORT, 0, 0)));
    }

    @Test
    void decodesAnswers() {
        PortMapMessages.PcpMapResponse p = PortMapMessages.pcpMapResponse(pcpAnswer(0, 3600, "203.0.113.7", 40000, NONCE)).orElseThrow();
        assertEquals(0, p.result());
        assertEquals(3600, p.lifetime());
        assertEquals(40000, p.externalPort());
        assertEquals(PORT, p.internalPort());
        assertEquals(v4("203.0.113.7"), p.externalAddress());
        assertArrayEquals(NONCE, p.nonce());
        PortMapMessages.NatPmpMapResponse m = PortMapMessages.natPmpMapResponse(pmpMapAnswer(0, 40001, 7200)).orElseThrow();
        assertEquals(40001, m.externalPort());
        assertEquals(7200, m.lifetime());
        assertEquals(v4("198.51.100.2"), PortMapMessages.natPmpAddressResponse(pmpAddressAnswer(0, "198.51.100.2")).orElseThrow().address());
    }

    @Test
    void decodersRejectGarbageWithoutThrowing() {
        Random rnd = new Random(14);
        for (int i = 0; i < 20_000; i++) {
            byte[] d = new byte[rnd.nextInt(70)];
            rnd.nextBytes(d);
            if (rnd.nextBoolean() && d.length > 1) d[0] = (byte) (rnd.nextBoolean() ? 0 : 2);
            PortMapMessages.header(d);
            PortMapMessages.pcpMapResponse(d);
            PortMapMessages.natPmpMapResponse(d);
            PortMapMessages.natPmpAddressResponse(d);
        }
        assertTrue(PortMapMessages.pcpMapResponse(new byte[59]).isEmpty());
        assertTrue(PortMapMessages.natPmpMapResponse(new byte[15]).isEmpty());
    }

    @Test
    void encodersRejectMisuse() {
        assertThrows(IllegalArgumentException.class, () -> PortMapMessages.pcpMapRequest(CLIENT, PORT, PORT, 7200, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> PortMapMessages.natPmpMapRequest(0, 0, 7200));
        assertThrows(IllegalArgumentException.class, () -> PortMapMessages.natPmpMapRequest(PORT, 70000, 7200));
        assertThrows(IllegalArgumentException.class, () -> new PortMapper(CLIENT, PORT, new byte[3], 0));
    }

    // ------------------------------------------------------------------ state machine (virtual clock)

    @Test
    void pcpMapsRenewsAtHalfLifetimeAndDeletes() {
        PortMapper m = new PortMapper(CLIENT, PORT, NONCE, 0);
        List<byte[]> first = m.poll(0);
        assertEquals(1, first.size());
        assertEquals(PortMapMessages.PCP_VERSION, first.get(0)[0]);
        m.receive(pcpAnswer(0, 7200, "203.0.113.7", 40000, NONCE), 30);
        assertEquals(PortMapper.State.MAPPED, m.state());
        assertEquals(new InetSocketAddress("203.0.113.7", 40000), m.mapped().orElseThrow());
        assertEquals(30 + 3_600_000, m.nextDeadline());
        assertTrue(m.poll(3_600_000).isEmpty());
        List<byte[]> renew = m.poll(3_600_030);
        assertEquals(1, renew.size());
        assertEquals(40000, ByteBuffer.wrap(renew.get(0)).getShort(42) & 0xFFFF); // suggests the port it holds
        assertEquals(new InetSocketAddress("203.0.113.7", 40000), m.mapped().orElseThrow()); // kept while renewing
        m.receive(pcpAnswer(0, 7200, "203.0.113.7", 40000, NONCE), 3_600_040);
        assertEquals(PortMapper.State.MAPPED, m.state());
        List<byte[]> del = m.stop();
        assertEquals(1, del.size());
        assertEquals(0, ByteBuffer.wrap(del.get(0)).getInt(4)); // lifetime 0 deletes
        assertTrue(m.mapped().isEmpty());
        assertEquals(Long.MAX_VALUE, m.nextDeadline());
    }

    @Test
    void fallsBackToNatPmpAfterThreeUnansweredTriesOneSecondApart() {
        PortMapper m = new PortMapper(CLIENT, PORT, NONCE, 0);
        for (long t = 0; t < 3000; t += 1000) {
            assertEquals(1, m.poll(t).size(), "PCP try at " + t);
            assertTrue(m.poll(t + 500).isEmpty());
            assertEquals(t + 1000, m.nextDeadline());
        }
        List<byte[]> pmp = m.poll(3000);
        assertEquals(PortMapper.State.NATPMP, m.state());
        assertEquals(2, pmp.size());
        assertEquals("0000", HEX.formatHex(pmp.get(0)));
        assertEquals(12, pmp.get(1).length);
        m.receive(pmpMapAnswer(0, 40001, 3600), 3010);
        assertTrue(m.mapped().isEmpty()); // the external address is still missing
        m.receive(pmpAddressAnswer(0, "198.51.100.2"), 3011);
        assertEquals(new InetSocketAddress("198.51.100.2", 40001), m.mapped().orElseThrow());
        assertEquals(3011 + 1_800_000, m.nextDeadline());
        assertEquals(2, m.poll(3011 + 1_800_000).size()); // renewal with NAT-PMP, which made the mapping
        List<byte[]> del = m.stop();
        assertEquals("00010000" + "2709" + "0000" + "00000000", HEX.formatHex(del.get(0)));
    }

    @Test
    void unsupportedVersionFallsBackAtOnceAndSilenceFails() {
        PortMapper m = new PortMapper(CLIENT, PORT, NONCE, 0);
        m.poll(0);
        m.receive(HEX.parseHex("0081000100000000"), 5); // NAT-PMP gateway: version 0, result 1 Unsupported Version
        assertEquals(PortMapper.State.NATPMP, m.state());
        assertEquals(5, m.nextDeadline());
        for (int i = 0; i < 3; i++) assertEquals(2, m.poll(5 + i * 1000L).size());
        assertTrue(m.poll(3005).isEmpty());
        assertEquals(PortMapper.State.FAILED, m.state());
        assertEquals(3005 + PortMapper.RETRY_AFTER_FAILURE_MS, m.nextDeadline());
        assertEquals(1, m.poll(3005 + PortMapper.RETRY_AFTER_FAILURE_MS).size()); // starts over with PCP
        assertEquals(PortMapper.State.PCP, m.state());
    }

    @Test
    void hostileAnswersAreDroppedAndCounted() {
        PortMapper m = new PortMapper(CLIENT, PORT, NONCE, 0);
        m.poll(0);
        m.receive(new byte[2], 1);
        m.receive(pcpAnswer(0, 7200, "203.0.113.7", 40000, new byte[12]), 1); // another mapping's nonce
        m.receive(pmpMapAnswer(0, 40001, 3600), 1); // NAT-PMP while PCP is asked
        assertEquals(3, m.dropped());
        assertTrue(m.mapped().isEmpty());
        m.receive(pcpAnswer(0, 7200, "203.0.113.7", 40000, NONCE), 2);
        m.receive(pcpAnswer(0, 7200, "203.0.113.9", 1, NONCE), 3); // unsolicited once mapped
        assertEquals(4, m.dropped());
        assertEquals(new InetSocketAddress("203.0.113.7", 40000), m.mapped().orElseThrow());
    }

    @Test
    void refusedMappingFailsAndUnrenewedMappingExpires() {
        PortMapper m = new PortMapper(CLIENT, PORT, NONCE, 0);
        m.poll(0);
        m.receive(pcpAnswer(2, 0, "0.0.0.0", 0, NONCE), 1); // NOT_AUTHORIZED
        assertEquals(PortMapper.State.FAILED, m.state());
        PortMapper e = new PortMapper(CLIENT, PORT, NONCE, 0);
        e.poll(0);
        e.receive(pcpAnswer(0, 10, "203.0.113.7", 40000, NONCE), 0);
        for (long t = 5000; t < 10_000; t += 1000) e.poll(t); // renewals unanswered
        assertTrue(e.mapped().isPresent());
        e.poll(10_000);
        assertTrue(e.mapped().isEmpty());
    }

    // ------------------------------------------------------------------ gateway answers

    @Test
    void answerEncodersFollowTheRfcLayouts() {
        assertEquals("0281" + "00" + "00" + "00000e10" + "000004d2" + "000000000000000000000000"
                + "0102030405060708090a0b0c" + "11" + "000000" + "2709" + "9c40" + "00000000000000000000ffff" + "cb007107",
                HEX.formatHex(pcpAnswer(0, 3600, "203.0.113.7", 40000, NONCE)));
        assertEquals("0081" + "0000" + "00000063" + "2709" + "9c41" + "00001c20", HEX.formatHex(pmpMapAnswer(0, 40001, 7200)));
        assertEquals("0080" + "0000" + "00000063" + "c6336402", HEX.formatHex(pmpAddressAnswer(0, "198.51.100.2")));
        assertEquals("0081000100000000", HEX.formatHex(PortMapMessages.natPmpUnsupportedVersion(PortMapMessages.pcpMapRequest(CLIENT, PORT, PORT, 7200, NONCE))));
    }

    static byte[] pcpAnswer(int result, long lifetime, String ext, int extPort, byte[] nonce) {
        return PortMapMessages.pcpMapAnswer(PortMapMessages.pcpMapRequest(CLIENT, PORT, PORT, 7200, nonce), result, lifetime, 1234, v4(ext), extPort);
    }

    static byte[] pmpMapAnswer(int result, int extPort, long lifetime) {
        return PortMapMessages.natPmpMapAnswer(result, 99, PORT, extPort, lifetime);
    }

    static byte[] pmpAddressAnswer(int result, String a) {
        return PortMapMessages.natPmpAddressAnswer(result, 99, v4(a));
    }
}
