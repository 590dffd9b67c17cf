package dev.planetary.zssp.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * Keccak-f[1600] sponge (FIPS 202) with the four instances Kyber needs: SHA3-256, SHA3-512,
 * SHAKE128 and SHAKE256.
 *
 * <p>The JDK offers SHA3-256/512 as {@code MessageDigest}s but no public XOF, and Kyber squeezes
 * SHAKE128 incrementally for matrix generation, so the sponge is implemented here. An instance is
 * not thread-safe; it is cheap to create and can be {@link #reset()} for reuse. The state holds
 * secret-derived data (Kyber's noise seeds), so {@link #reset()} also wipes it.
 */
final class Keccak {
    private static final long[] RC = {
        0x0000000000000001L, 0x0000000000008082L, 0x800000000000808aL, 0x8000000080008000L,
        0x000000000000808bL, 0x0000000080000001L, 0x8000000080008081L, 0x8000000000008009L,
        0x000000000000008aL, 0x0000000000000088L, 0x0000000080008009L, 0x000000008000000aL,
        0x000000008000808bL, 0x800000000000008bL, 0x8000000000008089L, 0x8000000000008003L,
        0x8000000000008002L, 0x8000000000000080L, 0x000000000000800aL, 0x800000008000000aL,
        0x8000000080008081L, 0x8000000000008080L, 0x0000000080000001L, 0x8000000080008008L,
    };

    static final int SHA3_256_RATE = 136;
    static final int SHA3_512_RATE = 72;
    static final int SHAKE128_RATE = 168;
    static final int SHAKE256_RATE = 136;

    private static final byte SHA3_PAD = 0x06;
    private static final byte SHAKE_PAD = 0x1f;

    private final long[] state = new long[25];
    private final int rate;
    private final byte pad;
    /** Byte position inside the current block (absorbing or squeezing). */
    private int pos;
    private boolean squeezing;

    Keccak(int rateBytes, byte padByte) {
        if (rateBytes <= 0 || rateBytes >= 200 || rateBytes % 8 != 0) {
            throw new IllegalArgumentException("bad Keccak rate " + rateBytes);
        }
        this.rate = rateBytes;
        this.pad = padByte;
    }

    static Keccak newSha3_256() { return new Keccak(SHA3_256_RATE, SHA3_PAD); }
    static Keccak newSha3_512() { return new Keccak(SHA3_512_RATE, SHA3_PAD); }
    static Keccak newShake128() { return new Keccak(SHAKE128_RATE, SHAKE_PAD); }
    static Keccak newShake256() { return new Keccak(SHAKE256_RATE, SHAKE_PAD); }

    int rate() { return rate; }

    /** Wipes the state and returns to absorbing. */
    Keccak reset() {
        Arrays.fill(state, 0L);
        pos = 0;
        squeezing = false;
        return this;
    }

    Keccak absorb(byte[] in) {
        return absorb(in, 0, in.length);
    }

    Keccak absorb(byte b) {
        if (squeezing) throw new IllegalStateException("absorb after squeeze");
        state[pos >>> 3] ^= (b & 0xffL) << ((pos & 7) << 3);
        if (++pos == rate) {
            permute();
            pos = 0;
        }
        return this;
    }

    Keccak absorb(byte[] in, int off, int len) {
        Objects.checkFromIndexSize(off, len, in.length);
        if (squeezing) throw new IllegalStateException("absorb after squeeze");
        long[] s = state;
        int p = pos;
        while (len > 0) {
            if ((p & 7) == 0 && len >= 8) {
                // whole little-endian lane
                long lane = 0;
                for (int i = 7; i >= 0; i--) lane = (lane << 8) | (in[off + i] & 0xffL);
                s[p >>> 3] ^= lane;
                p += 8;
                off += 8;
                len -= 8;
            } else {
                s[p >>> 3] ^= (in[off++] & 0xffL) << ((p & 7) << 3);
                p++;
                len--;
            }
            if (p == rate) {
                permute();
                p = 0;
            }
        }
        pos = p;
        return this;
    }

    /** Squeezes {@code len} bytes into {@code out[off..]}; the first call ends absorbing. */
    void squeeze(byte[] out, int off, int len) {
        Objects.checkFromIndexSize(off, len, out.length);
        if (!squeezing) {
            state[pos >>> 3] ^= (pad & 0xffL) << ((pos & 7) << 3);
            state[(rate - 1) >>> 3] ^= 0x80L << (((rate - 1) & 7) << 3);
            permute();
            pos = 0;
            squeezing = true;
        }
        long[] s = state;
        int p = pos;
        while (len > 0) {
            if (p == rate) {
                permute();
                p = 0;
            }
            if ((p & 7) == 0 && len >= 8) {
                // whole little-endian lane
                long lane = s[p >>> 3];
                for (int i = 0; i < 8; i++) out[off + i] = (byte) (lane >>> (i << 3));
                p += 8;
                off += 8;
                len -= 8;
            } else {
                out[off++] = (byte) (s[p >>> 3] >>> ((p & 7) << 3));
                p++;
                len--;
            }
        }
        pos = p;
    }

    byte[] squeeze(int len) {
        byte[] out = new byte[len];
        squeeze(out, 0, len);
        return out;
    }

    /** Fixed-output convenience: SHA3-256 of the concatenation of the inputs. */
    static byte[] sha3_256(byte[]... parts) {
        Keccak k = newSha3_256();
        for (byte[] p : parts) k.absorb(p);
        byte[] out = k.squeeze(32);
        k.reset();
        return out;
    }

    /** SHA3-512 of the concatenation of the inputs. */
    static byte[] sha3_512(byte[]... parts) {
        Keccak k = newSha3_512();
        for (byte[] p : parts) k.absorb(p);
        byte[] out = k.squeeze(64);
        k.reset();
        return out;
    }

    /** SHAKE128 of the concatenation of the inputs, {@code outLen} bytes. */
    static byte[] shake128(int outLen, byte[]... parts) {
        Keccak k = newShake128();
        for (byte[] p : parts) k.absorb(p);
        byte[] out = k.squeeze(outLen);
        k.reset();
        return out;
    }

    /** SHAKE256 of the concatenation of the inputs, {@code outLen} bytes. */
    static byte[] shake256(int outLen, byte[]... parts) {
        Keccak k = newShake256();
        for (byte[] p : parts) k.absorb(p);
        byte[] out = k.squeeze(outLen);
        k.reset();
        return out;
    }

    /**
     * Keccak-f[1600]: 24 rounds of theta, rho, pi, chi, iota on lanes a[x + 5y], unrolled over the
     * 25 lanes (rho and pi fused: lane (x, y) goes to (y, 2x + 3y) rotated by r[x, y]).
     */
    private void permute() {
        long[] s = state;
        long a0 = s[0]; long a1 = s[1]; long a2 = s[2]; long a3 = s[3]; long a4 = s[4];
        long a5 = s[5]; long a6 = s[6]; long a7 = s[7]; long a8 = s[8]; long a9 = s[9];
        long a10 = s[10]; long a11 = s[11]; long a12 = s[12]; long a13 = s[13]; long a14 = s[14];
        long a15 = s[15]; long a16 = s[16]; long a17 = s[17]; long a18 = s[18]; long a19 = s[19];
        long a20 = s[20]; long a21 = s[21]; long a22 = s[22]; long a23 = s[23]; long a24 = s[24];
        for (int round = 0; round < 24; round++) {
            long c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
            long c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
            long c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
            long c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
            long c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
            long d0 = c4 ^ Long.rotateLeft(c1, 1);
            long d1 = c0 ^ Long.rotateLeft(c2, 1);
            long d2 = c1 ^ Long.rotateLeft(c3, 1);
            long d3 = c2 ^ Long.rotateLeft(c4, 1);
            long d4 = c3 ^ Long.rotateLeft(c0, 1);
            long b0 = a0 ^ d0;
            long b1 = Long.rotateLeft(a6 ^ d1, 44);
            long b2 = Long.rotateLeft(a12 ^ d2, 43);
            long b3 = Long.rotateLeft(a18 ^ d3, 21);
            long b4 = Long.rotateLeft(a24 ^ d4, 14);
            long b5 = Long.rotateLeft(a3 ^ d3, 28);
            long b6 = Long.rotateLeft(a9 ^ d4, 20);
            long b7 = Long.rotateLeft(a10 ^ d0, 3);
            long b8 = Long.rotateLeft(a16 ^ d1, 45);
            long b9 = Long.rotateLeft(a22 ^ d2, 61);
            long b10 = Long.rotateLeft(a1 ^ d1, 1);
            long b11 = Long.rotateLeft(a7 ^ d2, 6);
            long b12 = Long.rotateLeft(a13 ^ d3, 25);
            long b13 = Long.rotateLeft(a19 ^ d4, 8);
            long b14 = Long.rotateLeft(a20 ^ d0, 18);
            long b15 = Long.rotateLeft(a4 ^ d4, 27);
            long b16 = Long.rotateLeft(a5 ^ d0, 36);
            long b17 = Long.rotateLeft(a11 ^ d1, 10);
            long b18 = Long.rotateLeft(a17 ^ d2, 15);
            long b19 = Long.rotateLeft(a23 ^ d3, 56);
            long b20 = Long.rotateLeft(a2 ^ d2, 62);
            long b21 = Long.rotateLeft(a8 ^ d3, 55);
            long b22 = Long.rotateLeft(a14 ^ d4, 39);
            long b23 = Long.rotateLeft(a15 ^ d0, 41);
            long b24 = Long.rotateLeft(a21 ^ d1, 2);
            a0 = b0 ^ (~b1 & b2);
            a1 = b1 ^ (~b2 & b3);
            a2 = b2 ^ (~b3 & b4);
            a3 = b3 ^ (~b4 & b0);
            a4 = b4 ^ (~b0 & b1);
            a5 = b5 ^ (~b6 & b7);
            a6 = b6 ^ (~b7 & b8);
            a7 = b7 ^ (~b8 & b9);
            a8 = b8 ^ (~b9 & b5);
            a9 = b9 ^ (~b5 & b6);
            a10 = b10 ^ (~b11 & b12);
            a11 = b11 ^ (~b12 & b13);
            a12 = b12 ^ (~b13 & b14);
            a13 = b13 ^ (~b14 & b10);
            a14 = b14 ^ (~b10 & b11);
            a15 = b15 ^ (~b16 & b17);
            a16 = b16 ^ (~b17 & b18);
            a17 = b17 ^ (~b18 & b19);
            a18 = b18 ^ (~b19 & b15);
            a19 = b19 ^ (~b15 & b16);
            a20 = b20 ^ (~b21 & b22);
            a21 = b21 ^ (~b22 & b23);
            a22 = b22 ^ (~b23 & b24);
            a23 = b23 ^ (~b24 & b20);
            a24 = b24 ^ (~b20 & b21);
            a0 ^= RC[round];
        }
        s[0] = a0; s[1] = a1; s[2] = a2; s[3] = a3; s[4] = a4;
        s[5] = a5; s[6] = a6; s[7] = a7; s[8] = a8; s[9] = a9;
        s[10] = a10; s[11] = a11; s[12] = a12; s[13] = a13; s[14] = a14;
        s[15] = a15; s[16] = a16; s[17] = a17; s[18] = a18; s[19] = a19;
        s[20] = a20; s[21] = a21; s[22] = a22; s[23] = a23; s[24] = a24;
    }
}
