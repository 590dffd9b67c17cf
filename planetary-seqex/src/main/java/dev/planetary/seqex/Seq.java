package dev.planetary.seqex;

/** Wrapping 32-bit sequence arithmetic (serial-number arithmetic, RFC 1982 style, windows below 2^31). */
final class Seq {
    private Seq() {}

    /** {@code a - b} as a signed distance; meaningful when the true distance is below 2^31. */
    static int diff(int a, int b) {
        return a - b;
    }

    /** True if {@code s} lies in {@code [base, base + size)} modulo 2^32 ({@code 0 <= size <= 2^31}). */
    static boolean inWindow(int s, int base, int size) {
        return Integer.compareUnsigned(s - base, size) < 0;
    }

    /** True if {@code a} comes strictly before {@code b}. */
    static boolean before(int a, int b) {
        return a - b < 0;
    }

    /** The agreed initial sequence number of {@code channel} (both peers derive it the same way). */
    static int initial(int initialSequence, int channel) {
        return initialSequence + channel * 0x9E3779B9;
    }
}
