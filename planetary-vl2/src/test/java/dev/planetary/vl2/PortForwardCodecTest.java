package dev.planetary.vl2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Decoded;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** PORT_FORWARD (§12.8): the byte layout of the table, the field rules, and round-trip/mutation properties. */
class PortForwardCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    private static Decoded<PortForward> decodeChecked(byte[] b) {
        Decoded<PortForward> d = Vl2PropertyTest.defined(PortForward.decode(b));
        if (d instanceof Decoded.Ok<PortForward> ok) assertArrayEquals(b, ok.value().encode(), () -> "not canonical: " + ok.value());
        return d;
    }

    private static void invalid(String hex) {
        assertInstanceOf(Decoded.Invalid.class, decodeChecked(HEX.parseHex(hex)), hex);
    }

    @Test
    void layoutFollowsTheTable() throws Exception {
        int id = PortForward.streamId(true, 5);
        assertEquals(0x8000_0005, id);
        assertTrue(new PortForward.OpenOk(id).openedByInitiator());
        assertFalse(new PortForward.OpenOk(PortForward.streamId(false, 5)).openedByInitiator());
        assertEquals("1c0180000005" + "8056c2e21c000001" + "04" + "0a000002" + "1f90",
                HEX.formatHex(new PortForward.Open(id, new NetworkId(0x8056c2e21c000001L), InetAddress.getByName("10.0.0.2"), 8080).encode()));
        assertEquals("1c0180000005" + "8056c2e21c000001" + "06" + "fd00000000000000000000000000abcd" + "0016",
                HEX.formatHex(new PortForward.Open(id, new NetworkId(0x8056c2e21c000001L), InetAddress.getByName("fd00::abcd"), 22).encode()));
        assertEquals("1c0280000005", HEX.formatHex(new PortForward.OpenOk(id).encode()));
        assertEquals("1c0300000007" + "414243", HEX.formatHex(new PortForward.Data(7, Bytes.of(new byte[] {'A', 'B', 'C'})).encode()));
        assertEquals("1c04ffffffff01", HEX.formatHex(new PortForward.Close(-1, PortForward.REASON_NOT_EXPOSED).encode()));
        assertEquals(Verb.PORT_FORWARD, new PortForward.OpenOk(1).encode()[0]);
    }

    @Test
    void decoderRefusesWhatTheTableForbids() {
        invalid("");
        invalid("1d0200000001"); // another verb
        invalid("1c0500000001"); // unknown op
        invalid("1c0000000001"); // op 0
        invalid("1c02000000"); // truncated stream id
        invalid("1c020000000100"); // OPEN_OK with a body
        invalid("1c0300000001"); // empty DATA
        invalid("1c0400000001"); // CLOSE without reason
        invalid("1c040000000100ff"); // CLOSE with trailing byte
        invalid("1c01000000018056c2e21c000001" + "05" + "0a000002" + "1f90"); // family 5
        invalid("1c01000000018056c2e21c000001" + "04" + "0a000002" + "0000"); // port 0
        invalid("1c01000000018056c2e21c000001" + "04" + "0a000002" + "1f9000"); // trailing
        invalid("1c01000000018056c2e21c000001" + "06" + "0a000002" + "1f90"); // family 6, 4 bytes
        byte[] max = new PortForward.Data(1, Bytes.of(new byte[Vl2Limits.PORT_FORWARD_MAX_DATA])).encode();
        assertInstanceOf(Decoded.Ok.class, decodeChecked(max));
        invalid(HEX.formatHex(Arrays.copyOf(max, max.length + 1))); // 16,385 bytes of DATA
    }

    @Test
    void constructorsNameTheBrokenRule() {
        var e = assertThrows(IllegalArgumentException.class, () -> new PortForward.Data(1, Bytes.of(new byte[Vl2Limits.PORT_FORWARD_MAX_DATA + 1])));
        assertTrue(e.getMessage().contains("DATA length"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PortForward.Data(1, Bytes.EMPTY));
        assertThrows(IllegalArgumentException.class, () -> new PortForward.Close(1, 256));
        assertThrows(IllegalArgumentException.class, () -> new PortForward.Open(1, new NetworkId(1), InetAddress.getLoopbackAddress(), 0));
        assertThrows(IllegalArgumentException.class, () -> new PortForward.Open(1, null, InetAddress.getLoopbackAddress(), 1));
    }

    @Test
    void dataEncodedFromABufferSliceIsTheRecordsEncoding() {
        SplittableRandom r = new SplittableRandom(16);
        byte[] buf = new byte[Vl2Limits.PORT_FORWARD_MAX_DATA + 64];
        for (int i = 0; i < 200; i++) {
            r.nextBytes(buf);
            int len = 1 + r.nextInt(Vl2Limits.PORT_FORWARD_MAX_DATA), off = r.nextInt(buf.length - len + 1), id = r.nextInt();
            assertArrayEquals(new PortForward.Data(id, Bytes.of(buf, off, len)).encode(), PortForward.Data.encode(id, buf, off, len));
        }
        assertThrows(IllegalArgumentException.class, () -> PortForward.Data.encode(1, buf, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> PortForward.Data.encode(1, buf, 0, Vl2Limits.PORT_FORWARD_MAX_DATA + 1));
        assertThrows(IndexOutOfBoundsException.class, () -> PortForward.Data.encode(1, buf, buf.length - 10, 11));
    }

    @Test
    void randomMessagesRoundTripAndMutationsStayDefined() {
        RandomObjects g = new RandomObjects(15);
        SplittableRandom r = new SplittableRandom(15);
        for (int i = 0; i < Vl2PropertyTest.MESSAGES; i++) {
            PortForward m = g.portForward();
            byte[] b = m.encode();
            assertEquals(m, decodeChecked(b).orThrow());
            decodeChecked(Arrays.copyOf(b, r.nextInt(b.length))); // every truncation is refused or canonical
            byte[] flipped = b.clone();
            flipped[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            decodeChecked(flipped);
        }
    }
}
