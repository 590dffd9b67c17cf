package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The entropy estimate that refuses weak one-time passwords, and the generator. */
class OtpStrengthTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void randomOtpsPassWithAMargin() {
        double min = Double.MAX_VALUE;
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[32];
            RANDOM.nextBytes(b);
            min = Math.min(min, ProvisionCommand.entropyBits(b));
        }
        // 31 differences: 31·log2(31) ≈ 153.6 bits less ~2 per colliding pair; below 128 needs ≥ 13 pairs (Poisson(1.8): ~1e-8)
        assertTrue(min > 130, "lowest estimate for 32 random bytes: " + min);
        for (int i = 0; i < 20; i++) ProvisionCommand.requireStrong(ProvisionCommand.generate(), "generated");
    }

    @Test
    void weakOtpsAreRefused() {
        byte[] random16 = new byte[16];
        RANDOM.nextBytes(random16);
        byte[] counter = new byte[32];
        for (int i = 0; i < 32; i++) counter[i] = (byte) i;
        byte[] stepped = new byte[64];
        for (int i = 0; i < 64; i++) stepped[i] = (byte) (7 * i + 3);
        byte[][] weak = {
            new byte[32], // all zero
            new byte[64],
            HexFormat.of().parseHex("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"), // a 16-byte block twice
            HexFormat.of().parseHex("ab".repeat(32)),
            HexFormat.of().parseHex("deadbeef".repeat(16)),
            concat(random16, random16), // 128 random bits, repeated: counts once, and an estimate of 16 bytes is below 128
            counter, // 00 01 02 … 1f
            stepped,
            concat(random16, new byte[16]), // half of it zero
        };
        for (byte[] w : weak) {
            byte[] copy = w.clone();
            CliError e = assertThrows(CliError.class, () -> ProvisionCommand.requireStrong(copy, "--otp"), HexFormat.of().formatHex(w));
            assertEquals(CliError.USAGE, e.exitCode);
            assertTrue(e.getMessage().contains("does not look random") && e.getMessage().contains("at least 128"), e.getMessage());
            assertTrue(Arrays.equals(new byte[w.length], copy), "a refused OTP is wiped");
        }
    }

    @Test
    void generatedOtpsAre256BitsAndDiffer() {
        byte[] a = ProvisionCommand.generate();
        byte[] b = ProvisionCommand.generate();
        assertEquals(32, a.length);
        assertNotEquals(HexFormat.of().formatHex(a), HexFormat.of().formatHex(b));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
