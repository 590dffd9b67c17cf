package dev.planetary.zssp;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes ZFP reassembly directly: arbitrary fragment sequences (valid numbering, arbitrary
 * everything else, arbitrary time steps). Invariants: never throws, never assembles more than the
 * buffer's packet limit, never holds more partial packets than its slots.
 * Long run: {@code ./build fuzz ReassemblyFuzzTest 600}.
 */
class ReassemblyFuzzTest {
    public static void fuzzerTestOneInput(FuzzedDataProvider data) {
        Reassembler r = new Reassembler(4, 2000, 5000, 1);
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
            if (data.consumeBoolean()) r.expire(now);
        }
    }

    @FuzzTest(maxDuration = "10s")
    void fragments(FuzzedDataProvider data) {
        fuzzerTestOneInput(data);
    }
}
