package dev.planetary.zssp.crypto;

/**
 * Inversion modulo the P-384 prime by Bernstein and Yang's divsteps ("Fast constant-time gcd
 * computation and modular inversion", CHES 2019), about eight times cheaper than Fermat's 383
 * squarings.
 *
 * <p>Values are 13 signed limbs of 30 bits (least significant first, limbs 0..11 in [0, 2^30), the
 * top one signed), so every product of a limb and a transition-matrix entry (|entry| ≤ 2^30) fits
 * a long with room for the sums. The loop runs {@link #BATCHES} batches of 30 divsteps whatever
 * the input: 1140 ≥ (49·384 + 57)/17 ≈ 1110.2, the paper's bound (Theorem 11.2: from δ = 1, that
 * many divsteps reach g = 0 whenever f² + 4g² ≤ 5·2^(2·384), which holds for f = p and 0 ≤ g &lt; p).
 * Then f = ±1 and d·f = a^−1.
 *
 * <p>Constant time: every divstep runs the same instructions, its three cases chosen by
 * all-ones/all-zeros masks from the sign of δ and the parity of g; the limb updates and the final
 * normalisation are straight-line code with masks. No branch or index depends on the value.
 */
final class P384Inverse {
    static final int LIMBS = 13;
    static final long M30 = (1L << 30) - 1;
    /** Batches of 30 divsteps: 38·30 = 1140 ≥ (49·384 + 57)/17 ≈ 1110.2, the Theorem 11.2 bound for 384 bits. */
    static final int BATCHES = 38;
    /** p in signed 30-bit limbs. */
    private static final long[] P30 = toSigned30(P384Field.P);
    /** p^−1 mod 2^30 (p ≡ −1 mod 2^32, so p^−1 ≡ −1). */
    private static final long PINV30 = M30;

    private P384Inverse() {}

    /** out = a^−1 mod p for a canonical a (0 maps to 0). out may alias a. */
    static void inverse(long[] out, long[] a) {
        long[] f = P30.clone(), g = toSigned30(a), d = new long[LIMBS], e = new long[LIMBS];
        long[] t = new long[4];
        e[0] = 1;
        long delta = 1;
        for (int b = 0; b < BATCHES; b++) {
            delta = divsteps30(delta, f[0], g[0], t);
            updateDe(d, e, t);
            updateFg(f, g, t);
        }
        // g = 0 and f = ±gcd = ±1 (f = p, d = 0 for a = 0): a^−1 = d·f
        normalise(d, f[LIMBS - 1] >> 63);
        fromSigned30(out, d);
        java.util.Arrays.fill(g, 0L);
        java.util.Arrays.fill(e, 0L);
        java.util.Arrays.fill(d, 0L);
        java.util.Arrays.fill(f, 0L);
        java.util.Arrays.fill(t, 0L);
    }

    /**
     * 30 divsteps on the low limbs of f and g: returns the new δ and leaves in t the matrix (u, v,
     * q, r) with 2^30·f' = u·f + v·g and 2^30·g' = q·f + r·g. A step: if δ &gt; 0 and g is odd,
     * (δ, f, g) ← (1 − δ, g, (g − f)/2); else if g is odd, (1 + δ, f, (g + f)/2); else (1 + δ, f,
     * g/2) — written as a masked swap (f, g) ← (g, −f), a masked g += f, then g/2.
     */
    static long divsteps30(long delta, long f0, long g0, long[] t) {
        long u = 1, v = 0, q = 0, r = 1, f = f0, g = g0;
        for (int i = 0; i < 30; i++) {
            long odd = -(g & 1);
            long swap = (-delta >> 63) & odd; // δ > 0 and g odd
            long nf = f ^ ((f ^ g) & swap), ng = g ^ ((g ^ -f) & swap);
            long nu = u ^ ((u ^ q) & swap), nv = v ^ ((v ^ r) & swap);
            long nq = q ^ ((q ^ -u) & swap), nr = r ^ ((r ^ -v) & swap);
            delta = (delta ^ ((delta ^ -delta) & swap)) + 1;
            f = nf;
            g = (ng + (nf & odd)) >> 1;
            q = nq + (nu & odd);
            r = nr + (nv & odd);
            u = nu << 1;
            v = nv << 1;
        }
        t[0] = u;
        t[1] = v;
        t[2] = q;
        t[3] = r;
        return delta;
    }

    /** (f, g) ← ((u·f + v·g)/2^30, (q·f + r·g)/2^30), exact divisions. */
    static void updateFg(long[] f, long[] g, long[] t) {
        long u = t[0], v = t[1], q = t[2], r = t[3];
        long cf = (u * f[0] + v * g[0]) >> 30, cg = (q * f[0] + r * g[0]) >> 30;
        for (int i = 1; i < LIMBS; i++) {
            cf += u * f[i] + v * g[i];
            cg += q * f[i] + r * g[i];
            f[i - 1] = cf & M30;
            g[i - 1] = cg & M30;
            cf >>= 30;
            cg >>= 30;
        }
        f[LIMBS - 1] = cf;
        g[LIMBS - 1] = cg;
    }

    /**
     * (d, e) ← ((u·d + v·e)/2^30, (q·d + r·e)/2^30) mod p: multiples md·p and me·p added so the low
     * 30 bits vanish (md ≡ −(u·d + v·e)·p^−1 mod 2^30), plus p·u or p·v for a negative d or e,
     * which keeps d and e in (−2p, p).
     */
    static void updateDe(long[] d, long[] e, long[] t) {
        long u = t[0], v = t[1], q = t[2], r = t[3];
        long sd = d[LIMBS - 1] >> 63, se = e[LIMBS - 1] >> 63;
        long md = (u & sd) + (v & se), me = (q & sd) + (r & se);
        long cd = u * d[0] + v * e[0], ce = q * d[0] + r * e[0];
        md -= (PINV30 * cd + md) & M30;
        me -= (PINV30 * ce + me) & M30;
        cd = (cd + P30[0] * md) >> 30;
        ce = (ce + P30[0] * me) >> 30;
        for (int i = 1; i < LIMBS; i++) {
            cd += u * d[i] + v * e[i] + P30[i] * md;
            ce += q * d[i] + r * e[i] + P30[i] * me;
            d[i - 1] = cd & M30;
            e[i - 1] = ce & M30;
            cd >>= 30;
            ce >>= 30;
        }
        d[LIMBS - 1] = cd;
        e[LIMBS - 1] = ce;
    }

    /** d ∈ (−2p, p) to d·(fNegative ? −1 : 1) mod p in [0, p), limbs normalised; by masks. */
    static void normalise(long[] d, long fNegative) {
        addMaskedP(d, d[LIMBS - 1] >> 63); // (−p, p)
        for (int i = 0; i < LIMBS; i++) d[i] = (d[i] ^ fNegative) - fNegative;
        carry(d); // still (−p, p)
        addMaskedP(d, d[LIMBS - 1] >> 63); // [0, p)
    }

    private static void addMaskedP(long[] d, long mask) {
        for (int i = 0; i < LIMBS; i++) d[i] += P30[i] & mask;
        carry(d);
    }

    private static void carry(long[] d) {
        for (int i = 0; i < LIMBS - 1; i++) {
            d[i + 1] += d[i] >> 30;
            d[i] &= M30;
        }
    }

    /** 12 words of 32 bits to 13 limbs of 30 bits (the top limb holds the last 24 bits). */
    static long[] toSigned30(long[] a) {
        long[] r = new long[LIMBS];
        long acc = 0;
        int bits = 0, w = 0;
        for (int j = 0; j < LIMBS; j++) {
            if (bits < 30 && w < P384Field.WORDS) { // positions only
                acc |= a[w++] << bits;
                bits += 32;
            }
            r[j] = acc & M30;
            acc >>>= 30;
            bits -= 30;
        }
        return r;
    }

    /** Normalised limbs of a value below 2^384 to 12 words of 32 bits. */
    static void fromSigned30(long[] out, long[] d) {
        long acc = 0;
        int bits = 0, w = 0;
        for (int j = 0; j < LIMBS; j++) {
            acc |= d[j] << bits;
            bits += 30;
            if (bits >= 32) { // positions only
                out[w++] = acc & P384Field.M32;
                acc >>>= 32;
                bits -= 32;
            }
        }
    }
}
