package dev.planetary.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The tunnel session's pool of decrypt arrays: bounded, one length at a time, held softly. */
class ReceiveArraysTest {
    @Test
    void anArrayGivenBackIsLentAgainForTheSameLength() {
        ReceiveArrays arrays = new ReceiveArrays();
        byte[] a = arrays.apply(100);
        arrays.accept(a);
        assertEquals(1, arrays.idle());
        assertSame(a, arrays.apply(100));
        assertEquals(1, arrays.reused());
        assertEquals(50, arrays.apply(50).length, "another length: a new array of exactly that length");
    }

    @Test
    void atMostKeptIdleArraysAndALargerLengthStartsOver() {
        ReceiveArrays arrays = new ReceiveArrays();
        byte[][] taken = new byte[ReceiveArrays.KEPT + 4][];
        for (int i = 0; i < taken.length; i++) taken[i] = arrays.apply(100);
        for (byte[] b : taken) arrays.accept(b);
        assertEquals(ReceiveArrays.KEPT, arrays.idle());
        arrays.apply(200); // bulk packets grew: the 100-byte arrays no longer serve
        assertEquals(0, arrays.idle());
        arrays.accept(taken[0]);
        assertEquals(0, arrays.idle(), "an array of the old length is left to the collector");
    }

    @Test
    void idleArraysTheCollectorTookBackAreReplacedByNewOnes() {
        ReceiveArrays arrays = new ReceiveArrays();
        byte[] a = arrays.apply(100);
        arrays.accept(a);
        arrays.dropIdle(); // what the collector does under memory pressure
        assertEquals(0, arrays.idle());
        byte[] b = arrays.apply(100);
        assertNotSame(a, b);
        arrays.accept(b);
        assertEquals(1, arrays.idle(), "kept again in a new set");
        assertSame(b, arrays.apply(100));
    }
}
