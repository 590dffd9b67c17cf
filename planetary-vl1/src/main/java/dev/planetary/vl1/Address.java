package dev.planetary.vl1;

/**
 * A 40-bit node address (§2.4): a lookup hint, never a trust anchor (D3). Valid iff it is not 0
 * and its first byte is not {@code 0xff}. Text form: 10 lowercase hex digits (§2.9).
 *
 * <p>A small stand-in until the identity module provides the canonical type; the wire form is the
 * 5-byte big-endian value.
 *
 * @param value the address in the low 40 bits
 */
public record Address(long value) implements Comparable<Address> {

    public Address {
        if (!isValid(value)) {
            throw new IllegalArgumentException(String.format("invalid address %x: must be 40 bits, non-zero, first byte not 0xff (§2.4)", value));
        }
    }

    /** The §2.4 validity rule on a raw value. */
    public static boolean isValid(long value) {
        return value > 0 && value < (1L << 40) && (value >>> 32) != 0xff;
    }

    /** Reads 5 big-endian bytes at {@code off}; {@code null} if the value is not a valid address. */
    public static Address read(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 5; i++) v = (v << 8) | (b[off + i] & 0xff);
        return isValid(v) ? new Address(v) : null;
    }

    /** Parses 10 hex digits (lowercase or uppercase). */
    public static Address parse(String text) {
        if (text.length() != 10) throw new IllegalArgumentException("an address is 10 hex digits, got " + text.length() + " characters");
        long v;
        try {
            v = Long.parseLong(text, 16);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("an address is 10 hex digits");
        }
        return new Address(v);
    }

    /** Writes the 5 big-endian bytes at {@code off}. */
    public void write(byte[] b, int off) {
        for (int i = 0; i < 5; i++) b[off + i] = (byte) (value >>> (8 * (4 - i)));
    }

    public byte[] toBytes() {
        byte[] b = new byte[5];
        write(b, 0);
        return b;
    }

    @Override
    public int compareTo(Address o) {
        return Long.compare(value, o.value);
    }

    /** 10 lowercase hex digits. */
    @Override
    public String toString() {
        return String.format("%010x", value);
    }
}
