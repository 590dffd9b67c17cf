package dev.planetary.identity;

import java.util.Optional;

/** RFC 4648 base32, lowercase, unpadded (spec §0). */
public final class Base32 {
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private Base32() {}

    public static String encode(byte[] data) {
        StringBuilder b = new StringBuilder((data.length * 8 + 4) / 5);
        int buf = 0, bits = 0;
        for (byte x : data) {
            buf = (buf << 8) | (x & 0xFF);
            bits += 8;
            while (bits >= 5) {
                b.append(ALPHABET[(buf >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) b.append(ALPHABET[(buf << (5 - bits)) & 31]);
        return b.toString();
    }

    /**
     * Decodes exactly {@code expectedBytes} bytes from canonical text: lowercase alphabet only, the
     * exact length, and zero padding bits (so every value has one text). Empty if anything differs.
     */
    public static Optional<byte[]> decode(CharSequence text, int expectedBytes) {
        if (text == null || text.length() != (expectedBytes * 8 + 4) / 5) return Optional.empty();
        byte[] out = new byte[expectedBytes];
        int buf = 0, bits = 0, o = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int v;
            if (c >= 'a' && c <= 'z') v = c - 'a';
            else if (c >= '2' && c <= '7') v = c - '2' + 26;
            else return Optional.empty();
            buf = (buf << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[o++] = (byte) (buf >>> (bits - 8));
                bits -= 8;
            }
        }
        if ((buf & ((1 << bits) - 1)) != 0) return Optional.empty();
        return Optional.of(out);
    }
}
