package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LimitsTest {

    @Test
    void maxPayloadIsFortyEightFragmentsLessHeadersAndTag() {
        assertEquals(5360, Limits.maxPayload(128));
        assertEquals(60656, Limits.maxPayload(1280));
        assertEquals(67952, Limits.maxPayload(1432));
    }

    @Test
    void anMtuBelowTheMinimumCountsAsTheMinimum() {
        assertEquals(Limits.maxPayload(Limits.MIN_MTU), Limits.maxPayload(20));
        assertEquals(Limits.maxPayload(Limits.MIN_MTU), Limits.maxPayload(0));
    }

    @Test
    void theDefaultMtuCarriesOneFragmentOf1400PayloadBytes() {
        // the CLI's default --size (one fragment); the transport's and VL1's default MTU take it from here
        assertEquals(1432, Limits.DEFAULT_MTU);
        assertEquals(1400, Limits.DEFAULT_MTU - Limits.FRAGMENT_HEADER - Limits.TAG);
    }

    /** The transport sizes its handshake queue by these (a Hello's fragments are queued one by one). */
    @Test
    void aHelloIsTwoFragmentsAtTheDefaultMtuAndSixteenAtTheSmallest() {
        assertEquals(1749, Limits.HELLO_SIZE);
        assertEquals(2, Limits.fragments(Limits.HELLO_SIZE, Limits.DEFAULT_MTU));
        assertEquals(16, Limits.fragments(Limits.HELLO_SIZE, Limits.MIN_MTU));
        assertEquals(16, Limits.fragments(Limits.HELLO_SIZE, 20), "a smaller MTU counts as the smallest");
        assertEquals(1, Limits.fragments(Limits.HELLO_SIZE, Limits.HELLO_SIZE + Limits.FRAGMENT_HEADER));
        assertEquals(2, Limits.fragments(Limits.HELLO_SIZE, Limits.HELLO_SIZE + Limits.FRAGMENT_HEADER - 1));
        int m = 1280;
        assertEquals(1, Limits.fragments(Limits.maxUnfragmentedPayload(m) + Limits.TAG, m));
        assertEquals(2, Limits.fragments(Limits.maxUnfragmentedPayload(m) + Limits.TAG + 1, m));
    }
}
