package dev.planetary.zssp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes ZFP reassembly directly: arbitrary fragment sequences (valid numbering, arbitrary
 * everything else, arbitrary time steps), into a hashed buffer and a session's buffer (slot =
 * counter mod 128, with a byte budget). Invariants: never throws, never assembles more than the
 * buffer's packet limit, never holds more partial packets than its slots nor, for the session's
 * buffer, more bytes than its budget (and none once nothing is partial).
 * Long run: {@code ./build fuzz ReassemblyFuzzTest 600}.
 */
class ReassemblyFuzzTest {
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        Reassembler r = new Reassembler(4, 2000, 5000, 1);
        Reassembler session = Reassembler.forSession(2000, 5000, 3000);
        long now = 0;
        while (data.remainingBytes() > 16) {
            byte[] d = data.consumeBytes(data.consumeInt(16, 300));
            if (d.length < 16) break;
            int count = 1 + Math.floorMod(d[5], 48);
            d[5] = (byte) count;
            d[4] = (byte) Math.floorMod(d[4], count);
            byte[] address = data.consumeBoolean() ? null : data.consumeBytes(data.consumeInt(0, 18));
            now += data.consumeInt(0, 3000);
            byte[] packet = r.add(d, 0, d.length, address, now);
            if (packet != null && packet != Reassembler.CONFLICT && packet.length > 2000) throw new AssertionError("oversized packet assembled");
            if (r.pending() > 4) throw new AssertionError("more partial packets than slots");
            byte[] s = session.add(d, 0, d.length, null, now);
            if (s != null && s != Reassembler.CONFLICT && s.length > 2000) throw new AssertionError("oversized packet assembled (session)");
            if (session.pending() > 128) throw new AssertionError("more partial packets than the replay window's slots");
            long held = session.bytes();
            if (held < 0 || held > 3000 || session.pending() == 0 && held != 0) throw new AssertionError("session buffer holds " + held + " bytes");
            if (data.consumeBoolean()) {
                r.expire(now);
                session.expire(now);
            }
        }
    }

    @FuzzTest(maxDuration = "6s")
    void fragments(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}
