package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The learned bridge table and the flood budget (VL.md §9.3 step 4, §9.6). */
class BridgeTableTest {
    static final long A = 0x1111111111L, B = 0x2222222222L;

    static MacAddress mac(long i) {
        return new MacAddress(0x0e_0000_000000L | i);
    }

    @Test
    void learnsLooksUpMovesAndExpiresAfter600Seconds() {
        BridgeTable t = new BridgeTable();
        assertEquals(-1, t.bridgeOf(mac(1), 0));
        assertTrue(t.learn(mac(1), A, 1_000));
        assertEquals(A, t.bridgeOf(mac(1), 1_000));
        assertTrue(t.learn(mac(1), B, 2_000), "the MAC moved behind another bridge");
        assertEquals(B, t.bridgeOf(mac(1), 2_000));
        assertEquals(0, t.macsOf(A).size());
        assertEquals(B, t.bridgeOf(mac(1), 2_000 + BridgeTable.EXPIRY_MS - 1));
        assertEquals(-1, t.bridgeOf(mac(1), 2_000 + BridgeTable.EXPIRY_MS), "600 s after it was last seen");
        assertEquals(0, t.size());
        t.learn(mac(2), A, 0);
        t.learn(mac(3), A, 100_000);
        t.learn(mac(2), A, 200_000); // seen again: younger than mac(3) now
        assertEquals(1, t.expire(100_000 + BridgeTable.EXPIRY_MS));
        assertEquals(A, t.bridgeOf(mac(2), 100_000 + BridgeTable.EXPIRY_MS));
        t.forgetBridge(A);
        assertEquals(0, t.size());
    }

    @Test
    void atMost4096MacsPerBridgeOldestFirstAnd32Bridges() {
        BridgeTable t = new BridgeTable();
        for (int i = 0; i < BridgeTable.MAX_MACS_PER_BRIDGE; i++) t.learn(mac(i), A, i);
        t.learn(mac(0), A, 10_000); // seen again: no longer the oldest
        t.learn(mac(BridgeTable.MAX_MACS_PER_BRIDGE), A, 10_001);
        assertEquals(BridgeTable.MAX_MACS_PER_BRIDGE, t.size());
        assertEquals(A, t.bridgeOf(mac(0), 10_001));
        assertEquals(-1, t.bridgeOf(mac(1), 10_001), "the oldest went");
        for (long b = 1; b < BridgeTable.MAX_BRIDGES; b++) assertTrue(t.learn(mac(100_000 + b), 0x3000000000L + b, 10_002));
        assertFalse(t.learn(mac(200_000), B, 10_003), "a 33rd bridge");
        assertEquals(1, t.refused());
        assertEquals(-1, t.bridgeOf(mac(200_000), 10_003));
    }

    @Test
    void floodBudgetIs100PerSecond() {
        BridgeTable t = new BridgeTable();
        int taken = 0;
        for (int i = 0; i < 150; i++) if (t.takeFlood(5_000 + i)) taken++;
        assertEquals(BridgeTable.FLOODS_PER_SECOND, taken);
        assertFalse(t.takeFlood(5_999));
        assertTrue(t.takeFlood(6_000), "a new second");
    }
}
