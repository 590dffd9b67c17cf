package dev.planetary.identity;

import java.util.Optional;

/** A 40-bit node address (spec §2.4): a lookup hint only; trust decisions use the {@link Fingerprint}. */
public record Address(long value) {
    public static final int SIZE = 5;

    public Address {
        if (value <= 0 || value >= (1L << 40)) throw new IllegalArgumentException("an address is a nonzero 40-bit value");
        if ((value >>> 32) == 0xFF) throw new IllegalArgumentException("addresses starting with ff are reserved");
    }

    /** True iff {@code value} is a usable address: nonzero, 40 bits, first byte not 0xff. */
    public static boolean isValid(long value) {
        return value > 0 && value < (1L << 40) && (value >>> 32) != 0xFF;
    }

    /** Parses 10 lowercase hex digits. */
    public static Optional<Address> parse(CharSequence text) {
        if (text == null || text.length() != 10) return Optional.empty();
        long v = 0;
        for (int i = 0; i < 10; i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0 || Character.isUpperCase(text.charAt(i))) return Optional.empty();
            v = (v << 4) | d;
        }
        return isValid(v) ? Optional.of(new Address(v)) : Optional.empty();
    }

    public static Address read(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < SIZE; i++) v = (v << 8) | (b[off + i] & 0xFF);
        return new Address(v);
    }

    public void write(byte[] b, int off) {
        for (int i = SIZE - 1; i >= 0; i--) b[off + i] = (byte) (value >>> (8 * (SIZE - 1 - i)));
    }

    public byte[] toBytes() {
        byte[] b = new byte[SIZE];
        write(b, 0);
        return b;
    }

    /** 10 lowercase hex digits. */
    @Override
    public String toString() {
        return String.format("%010x", value);
    }
}
