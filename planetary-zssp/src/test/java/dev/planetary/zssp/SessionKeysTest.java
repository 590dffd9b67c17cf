package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.planetary.zssp.crypto.AesGcm;
import org.junit.jupiter.api.Test;

/** The DATA receive key that {@link Session.Keys} keeps beside each slot picks the slot by its receive kid. */
class SessionKeysTest {

    private static KeySlot slot(int sendKid, int recvKid, int seed) {
        byte[] k = new byte[32];
        AesGcm[] keys = new AesGcm[4];
        for (int i = 0; i < 4; i++) {
            k[0] = (byte) (seed * 4 + i);
            keys[i] = new AesGcm(k);
        }
        return new KeySlot(sendKid, recvKid, keys[0], keys[1], keys[2], keys[3]);
    }

    @Test
    void dataKeyFollowsTheSlotsThroughAFlip() {
        KeySlot a = slot(11, 0x1234, 1);
        KeySlot b = slot(12, 0x5678, 2);
        Session.Keys keys = new Session.Keys(a, b);
        assertSame(a.nkRecv(), keys.dataKey(0x1234));
        assertSame(b.nkRecv(), keys.dataKey(0x5678));
        assertNull(keys.dataKey(0x9999), "a kid of neither slot");
        Session.Keys flipped = keys.flip();
        assertSame(a, flipped.other());
        assertSame(a.nkRecv(), flipped.dataKey(0x1234));
        assertSame(b.nkRecv(), flipped.dataKey(0x5678));
    }

    @Test
    void aSlotWithoutKeysHasNoDataKey() {
        KeySlot a = slot(11, 0x1234, 1);
        Session.Keys keys = new Session.Keys(a, KeySlot.receiveOnly(0x4242));
        assertNull(keys.dataKey(0x4242), "a reserved kid whose keys are not derived yet");
        assertSame(a.nkRecv(), keys.dataKey(0x1234));
        assertNull(new Session.Keys(KeySlot.NONE, KeySlot.receiveOnly(7)).dataKey(7));
    }
}
