package dev.planetary.zssp.crypto;

/**
 * Test oracle: the P-384 group code as it was before issue 12 §5 (12×32-bit products; commit
 * 772df0b), kept unchanged so that the faster main code can be compared with it on random inputs.
 *
 * <p>The P-384 group: y² = x³ − 3x + b over {@link P384FieldRef}, prime order n, cofactor 1.
 *
 * <p>Points are kept in homogeneous projective coordinates (X:Y:Z), x = X/Z, y = Y/Z, identity
 * (0:1:0), and combined with the complete formulas for a = −3 of Renes, Costello and Batina,
 * "Complete addition formulas for prime order elliptic curves" (EUROCRYPT 2016), Algorithms 4
 * (addition), 5 (mixed addition) and 6 (doubling). Complete formulas have no exceptional cases, so
 * the scalar multiplications below are straight-line code: fixed 4-bit windows, every table entry
 * read for every lookup and selected with masks, the same number of additions and doublings for
 * every scalar. The scalar only ever influences mask values.
 *
 * <p>An instance holds scratch space: one per operation, never shared between threads.
 */
final class P384CurveRef {
    static final int W = P384FieldRef.WORDS;

    /** b, least significant word first. */
    static final long[] B = words(
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef");
    static final long[] GX = words(
            "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7");
    static final long[] GY = words(
            "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f");
    /** The group order n as 48 big-endian bytes. */
    static final byte[] N_BYTES = bytes(
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973");

    private final P384FieldRef f = new P384FieldRef();
    // temporaries of the point formulas
    private final long[] t0 = new long[W], t1 = new long[W], t2 = new long[W], t3 = new long[W], t4 = new long[W];
    private final long[] x3 = new long[W], y3 = new long[W], z3 = new long[W];

    P384FieldRef field() {
        return f;
    }

    // ------------------------------------------------------------------ point formulas

    /** (ox:oy:oz) = (x1:y1:z1) + (x2:y2:z2); complete (RCB Algorithm 4, a = −3). Outputs may alias inputs. */
    void add(long[] ox, long[] oy, long[] oz,
             long[] x1, long[] y1, long[] z1, long[] x2, long[] y2, long[] z2) {
        P384FieldRef f = this.f;
        long[] t0 = this.t0, t1 = this.t1, t2 = this.t2, t3 = this.t3, t4 = this.t4;
        long[] X3 = this.x3, Y3 = this.y3;
        f.mul(t0, x1, x2);
        f.mul(t1, y1, y2);
        f.mul(t2, z1, z2);
        P384FieldRef.add(t3, x1, y1);
        P384FieldRef.add(t4, x2, y2);
        f.mul(t3, t3, t4);
        P384FieldRef.add(t4, t0, t1);
        P384FieldRef.sub(t3, t3, t4);
        P384FieldRef.add(t4, y1, z1);
        P384FieldRef.add(X3, y2, z2);
        f.mul(t4, t4, X3);
        P384FieldRef.add(X3, t1, t2);
        P384FieldRef.sub(t4, t4, X3);
        P384FieldRef.add(X3, x1, z1);
        P384FieldRef.add(Y3, x2, z2);
        f.mul(X3, X3, Y3);
        P384FieldRef.add(Y3, t0, t2);
        P384FieldRef.sub(Y3, X3, Y3);
        finishAdd(ox, oy, oz);
    }

    /**
     * The part of RCB Algorithms 4 and 5 they share, from Z3 = b·t2 on: expects t0, t1, t3, t4, Y3
     * and t2 (z1·z2, or z1 for an affine second point) as the two algorithms leave them.
     */
    private void finishAdd(long[] ox, long[] oy, long[] oz) {
        P384FieldRef f = this.f;
        long[] t0 = this.t0, t1 = this.t1, t2 = this.t2, t3 = this.t3, t4 = this.t4;
        long[] X3 = this.x3, Y3 = this.y3, Z3 = this.z3;
        f.mul(Z3, B, t2);
        P384FieldRef.sub(X3, Y3, Z3);
        P384FieldRef.add(Z3, X3, X3);
        P384FieldRef.add(X3, X3, Z3);
        P384FieldRef.sub(Z3, t1, X3);
        P384FieldRef.add(X3, t1, X3);
        f.mul(Y3, B, Y3);
        P384FieldRef.add(t1, t2, t2);
        P384FieldRef.add(t2, t1, t2);
        P384FieldRef.sub(Y3, Y3, t2);
        P384FieldRef.sub(Y3, Y3, t0);
        P384FieldRef.add(t1, Y3, Y3);
        P384FieldRef.add(Y3, t1, Y3);
        P384FieldRef.add(t1, t0, t0);
        P384FieldRef.add(t0, t1, t0);
        P384FieldRef.sub(t0, t0, t2);
        f.mul(t1, t4, Y3);
        f.mul(t2, t0, Y3);
        f.mul(Y3, X3, Z3);
        P384FieldRef.add(Y3, Y3, t2);
        f.mul(X3, t3, X3);
        P384FieldRef.sub(X3, X3, t1);
        f.mul(Z3, t4, Z3);
        f.mul(t1, t3, t0);
        P384FieldRef.add(Z3, Z3, t1);
        P384FieldRef.copy(ox, X3);
        P384FieldRef.copy(oy, Y3);
        P384FieldRef.copy(oz, Z3);
    }

    /**
     * (ox:oy:oz) = (x1:y1:z1) + (x2, y2) with (x2, y2) an affine point (never the identity); the
     * projective input may be the identity (RCB Algorithm 5, a = −3).
     */
    void addAffine(long[] ox, long[] oy, long[] oz,
                   long[] x1, long[] y1, long[] z1, long[] x2, long[] y2) {
        P384FieldRef f = this.f;
        long[] t0 = this.t0, t1 = this.t1, t2 = this.t2, t3 = this.t3, t4 = this.t4;
        long[] Y3 = this.y3;
        f.mul(t0, x1, x2);
        f.mul(t1, y1, y2);
        P384FieldRef.add(t3, x2, y2);
        P384FieldRef.add(t4, x1, y1);
        f.mul(t3, t3, t4);
        P384FieldRef.add(t4, t0, t1);
        P384FieldRef.sub(t3, t3, t4);
        f.mul(t4, y2, z1);
        P384FieldRef.add(t4, t4, y1);
        f.mul(Y3, x2, z1);
        P384FieldRef.add(Y3, Y3, x1);
        P384FieldRef.copy(t2, z1); // Algorithm 5 is Algorithm 4 with z2 = 1 from here on
        finishAdd(ox, oy, oz);
    }

    /** (ox:oy:oz) = 2·(x:y:z); complete (RCB Algorithm 6, a = −3). Outputs may alias inputs. */
    void dbl(long[] ox, long[] oy, long[] oz, long[] x, long[] y, long[] z) {
        P384FieldRef f = this.f;
        long[] t0 = this.t0, t1 = this.t1, t2 = this.t2, t3 = this.t3;
        long[] X3 = this.x3, Y3 = this.y3, Z3 = this.z3;
        f.sqr(t0, x);
        f.sqr(t1, y);
        f.sqr(t2, z);
        f.mul(t3, x, y);
        P384FieldRef.add(t3, t3, t3);
        f.mul(Z3, x, z);
        P384FieldRef.add(Z3, Z3, Z3);
        f.mul(Y3, B, t2);
        P384FieldRef.sub(Y3, Y3, Z3);
        P384FieldRef.add(X3, Y3, Y3);
        P384FieldRef.add(Y3, X3, Y3);
        P384FieldRef.sub(X3, t1, Y3);
        P384FieldRef.add(Y3, t1, Y3);
        f.mul(Y3, X3, Y3);
        f.mul(X3, X3, t3);
        P384FieldRef.add(t3, t2, t2);
        P384FieldRef.add(t2, t2, t3);
        f.mul(Z3, B, Z3);
        P384FieldRef.sub(Z3, Z3, t2);
        P384FieldRef.sub(Z3, Z3, t0);
        P384FieldRef.add(t3, Z3, Z3);
        P384FieldRef.add(Z3, Z3, t3);
        P384FieldRef.add(t3, t0, t0);
        P384FieldRef.add(t0, t3, t0);
        P384FieldRef.sub(t0, t0, t2);
        f.mul(t0, t0, Z3);
        P384FieldRef.add(Y3, Y3, t0);
        f.mul(t0, y, z);
        P384FieldRef.add(t0, t0, t0);
        f.mul(Z3, t0, Z3);
        P384FieldRef.sub(X3, X3, Z3);
        f.mul(Z3, t0, t1);
        P384FieldRef.add(Z3, Z3, Z3);
        P384FieldRef.add(Z3, Z3, Z3);
        P384FieldRef.copy(ox, X3);
        P384FieldRef.copy(oy, Y3);
        P384FieldRef.copy(oz, Z3);
    }

    // ------------------------------------------------------------------ scalar multiplication

    /** Constant-time equality mask of two small non-negative ints: −1 if a == b else 0. */
    static long eqMask(int a, int b) {
        return ((long) (a ^ b) - 1) >> 63;
    }

    /** 4-bit digit number {@code i} (0 = most significant) of a 48-byte big-endian scalar. */
    private static int digit(byte[] k, int i) {
        int b = k[i >>> 1] & 0xFF;
        return (i & 1) == 0 ? b >>> 4 : b & 0xF; // branch on the position only
    }

    /**
     * (ox:oy:oz) = k·(qx, qy) for an affine point q on the curve and a 48-byte big-endian scalar k.
     * Constant time in k: 96 windows of 4 doublings, one full-table lookup and one complete addition.
     */
    void mulVariable(long[] ox, long[] oy, long[] oz, long[] qx, long[] qy, byte[] k) {
        // table[j] = j·q, j = 0..15, projective
        long[][] tx = new long[16][W], ty = new long[16][W], tz = new long[16][W];
        ty[0][0] = 1; // identity (0:1:0)
        P384FieldRef.copy(tx[1], qx);
        P384FieldRef.copy(ty[1], qy);
        tz[1][0] = 1;
        for (int j = 2; j < 16; j++) {
            addAffine(tx[j], ty[j], tz[j], tx[j - 1], ty[j - 1], tz[j - 1], qx, qy);
        }
        long[] ax = new long[W], ay = new long[W], az = new long[W];
        long[] lx = new long[W], ly = new long[W], lz = new long[W];
        ay[0] = 1;
        for (int i = 0; i < 96; i++) {
            if (i != 0) { // position only
                for (int d = 0; d < 4; d++) dbl(ax, ay, az, ax, ay, az);
            }
            int di = digit(k, i);
            for (int w = 0; w < W; w++) {
                lx[w] = 0;
                ly[w] = 0;
                lz[w] = 0;
            }
            for (int j = 0; j < 16; j++) {
                long m = eqMask(di, j);
                long[] sx = tx[j], sy = ty[j], sz = tz[j];
                for (int w = 0; w < W; w++) {
                    lx[w] |= sx[w] & m;
                    ly[w] |= sy[w] & m;
                    lz[w] |= sz[w] & m;
                }
            }
            add(ax, ay, az, ax, ay, az, lx, ly, lz);
        }
        P384FieldRef.copy(ox, ax);
        P384FieldRef.copy(oy, ay);
        P384FieldRef.copy(oz, az);
        wipe(ax, ay, az, lx, ly, lz);
        wipeTemporaries();
    }

    /**
     * (ox:oy:oz) = k·G, constant time in k. With digits d_0..d_95 (d_0 least significant, 4 bits
     * each) and i = 4m + s: k·G = Σ_s 16^s Σ_m d_{4m+s}·(2^{16m}·G); the inner sums use the
     * precomputed affine multiples j·2^{16m}·G (j = 1..15, m = 0..23) with a full-table lookup and a
     * mixed addition whose result is discarded by mask when the digit is 0.
     */
    void mulGenerator(long[] ox, long[] oy, long[] oz, byte[] k) {
        long[][] tabX = GeneratorTable.X, tabY = GeneratorTable.Y;
        long[] ax = new long[W], ay = new long[W], az = new long[W];
        long[] lx = new long[W], ly = new long[W];
        long[] sx = new long[W], sy = new long[W], sz = new long[W];
        ay[0] = 1;
        for (int s = 3; s >= 0; s--) {
            if (s != 3) {
                for (int d = 0; d < 4; d++) dbl(ax, ay, az, ax, ay, az);
            }
            for (int m = 0; m < 24; m++) {
                int di = digit(k, 95 - (4 * m + s)); // digit() counts from the most significant end
                for (int w = 0; w < W; w++) {
                    lx[w] = 0;
                    ly[w] = 0;
                }
                // entries 1..15; digit 0 selects nothing (lx = ly = 0) and the sum is discarded below
                for (int j = 1; j < 16; j++) {
                    long msk = eqMask(di, j);
                    long[] ex = tabX[m * 15 + j - 1], ey = tabY[m * 15 + j - 1];
                    for (int w = 0; w < W; w++) {
                        lx[w] |= ex[w] & msk;
                        ly[w] |= ey[w] & msk;
                    }
                }
                addAffine(sx, sy, sz, ax, ay, az, lx, ly);
                long zero = eqMask(di, 0);
                P384FieldRef.select(ax, sx, ax, zero);
                P384FieldRef.select(ay, sy, ay, zero);
                P384FieldRef.select(az, sz, az, zero);
            }
        }
        P384FieldRef.copy(ox, ax);
        P384FieldRef.copy(oy, ay);
        P384FieldRef.copy(oz, az);
        wipe(ax, ay, az, lx, ly, sx, sy, sz);
        wipeTemporaries();
    }

    /** Zeroes the given scratch arrays (intermediate values depending on a secret scalar). */
    static void wipe(long[]... arrays) {
        for (long[] a : arrays) java.util.Arrays.fill(a, 0L);
    }

    /** Zeroes the formula temporaries of this instance. */
    void wipeTemporaries() {
        wipe(t0, t1, t2, t3, t4, x3, y3, z3);
    }

    /** Affine (x, y) of (X:Y:Z), Z ≠ 0 (x and y may alias nothing of the input). */
    void toAffine(long[] x, long[] y, long[] px, long[] py, long[] pz) {
        long[] zi = new long[W];
        f.inv(zi, pz);
        f.mul(x, px, zi);
        if (y != null) f.mul(y, py, zi);
        wipe(zi);
        f.wipe();
    }

    /**
     * Decompresses a public point: returns false unless prefix is 2 or 3, x &lt; p and x³ − 3x + b
     * is a square. Public data: may take data-dependent branches.
     */
    boolean decompress(long[] x, long[] y, byte[] in, int off) {
        int prefix = in[off];
        if (prefix != 2 && prefix != 3) return false;
        P384FieldRef.fromBytes(x, in, off + 1);
        if (P384FieldRef.lessThanPMask(x) == 0) return false;
        long[] rhs = new long[W];
        curveRhs(rhs, x);
        f.sqrtCandidate(y, rhs);
        long[] chk = new long[W];
        f.sqr(chk, y);
        if (P384FieldRef.equalMask(chk, rhs) == 0) return false;
        if ((y[0] & 1) != (prefix & 1)) P384FieldRef.neg(y, y);
        return (y[0] & 1) == (prefix & 1); // fails only for y = 0 with prefix 3 (no such point)
    }

    /** rhs = x³ − 3x + b. */
    void curveRhs(long[] rhs, long[] x) {
        long[] t = new long[W];
        f.sqr(t, x);
        f.mul(t, t, x);
        P384FieldRef.sub(t, t, x);
        P384FieldRef.sub(t, t, x);
        P384FieldRef.sub(t, t, x);
        P384FieldRef.add(rhs, t, B);
    }

    /** True iff the affine (x, y) satisfies the curve equation. */
    boolean onCurve(long[] x, long[] y) {
        long[] rhs = new long[W];
        long[] lhs = new long[W];
        curveRhs(rhs, x);
        f.sqr(lhs, y);
        return P384FieldRef.equalMask(lhs, rhs) != 0;
    }

    // ------------------------------------------------------------------ helpers

    static long[] words(String hex) {
        long[] w = new long[W];
        P384FieldRef.fromBytes(w, bytes(hex), 0);
        return w;
    }

    static byte[] bytes(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    /** Lazily built affine table j·2^{16m}·G, index m·15 + (j − 1). Public data. */
    static final class GeneratorTable {
        static final long[][] X = new long[24 * 15][W];
        static final long[][] Y = new long[24 * 15][W];

        static {
            P384CurveRef c = new P384CurveRef();
            P384FieldRef f = c.f;
            int count = 24 * 15;
            long[][] pz = new long[count][W];
            long[] bx = GX.clone(), by = GY.clone(), bz = new long[W];
            bz[0] = 1;
            for (int m = 0; m < 24; m++) {
                int base = m * 15;
                P384FieldRef.copy(X[base], bx);
                P384FieldRef.copy(Y[base], by);
                P384FieldRef.copy(pz[base], bz);
                for (int j = 2; j <= 15; j++) {
                    int i = base + j - 1;
                    c.add(X[i], Y[i], pz[i], X[i - 1], Y[i - 1], pz[i - 1], bx, by, bz);
                }
                for (int d = 0; d < 16; d++) c.dbl(bx, by, bz, bx, by, bz);
            }
            // batch inversion of all Z (Montgomery's trick); none is zero (j·2^{16m} < n)
            long[][] prefix = new long[count][W];
            P384FieldRef.copy(prefix[0], pz[0]);
            for (int i = 1; i < count; i++) f.mul(prefix[i], prefix[i - 1], pz[i]);
            long[] inv = new long[W];
            f.inv(inv, prefix[count - 1]);
            long[] zi = new long[W];
            for (int i = count - 1; i >= 0; i--) {
                if (i > 0) {
                    f.mul(zi, inv, prefix[i - 1]);
                    f.mul(inv, inv, pz[i]);
                } else {
                    P384FieldRef.copy(zi, inv);
                }
                f.mul(X[i], X[i], zi);
                f.mul(Y[i], Y[i], zi);
            }
        }

        private GeneratorTable() {}
    }
}
