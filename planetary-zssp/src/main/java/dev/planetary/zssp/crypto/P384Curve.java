package dev.planetary.zssp.crypto;

/**
 * The P-384 group: y² = x³ − 3x + b over {@link P384Field}, prime order n, cofactor 1.
 *
 * <p>Points are handed out in homogeneous projective coordinates (X:Y:Z), x = X/Z, y = Y/Z,
 * identity (0:1:0). Two scalar multiplications, both straight-line code in which the scalar only
 * ever influences mask values (every table entry is read for every lookup and selected with
 * all-ones/all-zeros masks; the number and order of field operations is the same for every scalar):
 *
 * <ul>
 *   <li>{@link #mulGenerator} (key generation): signed 5-bit windows, each added from its own
 *       precomputed affine table (no doublings) with a Jacobian mixed addition; its method Javadoc
 *       shows that for scalars in [0, n) the only exceptional input that occurs is an identity
 *       accumulator, resolved by masked selection.
 *   <li>{@link #mulVariable} (ECDH): Jacobian coordinates (x = X/Z², y = Y/Z³), whose doubling
 *       costs about half of the complete one, over signed 5-bit windows. Its addition is not
 *       complete either; the same kind of argument, in its Javadoc, leaves the identity accumulator
 *       as the only exception.
 * </ul>
 *
 * <p>An instance holds scratch space: one per operation, never shared between threads.
 */
final class P384Curve {
    static final int W = P384Field.WORDS;

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

    private final P384Field f = new P384Field();
    // temporaries of the point formulas
    private final long[] t0 = new long[W], t1 = new long[W], t2 = new long[W], t3 = new long[W], t4 = new long[W];
    private final long[] x3 = new long[W], y3 = new long[W], z3 = new long[W];

    P384Field field() {
        return f;
    }

    // ------------------------------------------------------------------ point formulas

    /** (ox:oy:oz) = (x1:y1:z1) + (x2:y2:z2); complete (RCB Algorithm 4, a = −3). Outputs may alias inputs. */
    void add(long[] ox, long[] oy, long[] oz,
             long[] x1, long[] y1, long[] z1, long[] x2, long[] y2, long[] z2) {
        P384Field f = this.f;
        long[] t0 = this.t0, t1 = this.t1, t2 = this.t2, t3 = this.t3, t4 = this.t4;
        long[] X3 = this.x3, Y3 = this.y3;
        f.mul(t0, x1, x2);
        f.mul(t1, y1, y2);
        f.mul(t2, z1, z2);
        P384Field.add(t3, x1, y1);
        P384Field.add(t4, x2, y2);
        f.mul(t3, t3, t4);
        P384Field.add(t4, t0, t1);
        P384Field.sub(t3, t3, t4);
        P384Field.add(t4, y1, z1);
        P384Field.add(X3, y2, z2);
        f.mul(t4, t4, X3);
        P384Field.add(X3, t1, t2);
        P384Field.sub(t4, t4, X3);
        P384Field.add(X3, x1, z1);
        P384Field.add(Y3, x2, z2);
        f.mul(X3, X3, Y3);
        P384Field.add(Y3, t0, t2);
        P384Field.sub(Y3, X3, Y3);
        finishAdd(ox, oy, oz);
    }

    /**
     * The second half of RCB Algorithm 4, from Z3 = b·t2 on: expects t0, t1, t2 (z1·z2), t3, t4 and
     * Y3 as the first half leaves them.
     */
    private void finishAdd(long[] ox, long[] oy, long[] oz) {
        P384Field f = this.f;
        long[] t0 = this.t0, t1 = this.t1, t2 = this.t2, t3 = this.t3, t4 = this.t4;
        long[] X3 = this.x3, Y3 = this.y3, Z3 = this.z3;
        f.mul(Z3, B, t2);
        P384Field.sub(X3, Y3, Z3);
        P384Field.add(Z3, X3, X3);
        P384Field.add(X3, X3, Z3);
        P384Field.sub(Z3, t1, X3);
        P384Field.add(X3, t1, X3);
        f.mul(Y3, B, Y3);
        P384Field.add(t1, t2, t2);
        P384Field.add(t2, t1, t2);
        P384Field.sub(Y3, Y3, t2);
        P384Field.sub(Y3, Y3, t0);
        P384Field.add(t1, Y3, Y3);
        P384Field.add(Y3, t1, Y3);
        P384Field.add(t1, t0, t0);
        P384Field.add(t0, t1, t0);
        P384Field.sub(t0, t0, t2);
        f.mul(t1, t4, Y3);
        f.mul(t2, t0, Y3);
        f.mul(Y3, X3, Z3);
        P384Field.add(Y3, Y3, t2);
        f.mul(X3, t3, X3);
        P384Field.sub(X3, X3, t1);
        f.mul(Z3, t4, Z3);
        f.mul(t1, t3, t0);
        P384Field.add(Z3, Z3, t1);
        P384Field.copy(ox, X3);
        P384Field.copy(oy, Y3);
        P384Field.copy(oz, Z3);
    }

    /** (ox:oy:oz) = 2·(x:y:z); complete (RCB Algorithm 6, a = −3). Outputs may alias inputs. */
    void dbl(long[] ox, long[] oy, long[] oz, long[] x, long[] y, long[] z) {
        P384Field f = this.f;
        long[] t0 = this.t0, t1 = this.t1, t2 = this.t2, t3 = this.t3;
        long[] X3 = this.x3, Y3 = this.y3, Z3 = this.z3;
        f.sqr(t0, x);
        f.sqr(t1, y);
        f.sqr(t2, z);
        f.mul(t3, x, y);
        P384Field.add(t3, t3, t3);
        f.mul(Z3, x, z);
        P384Field.add(Z3, Z3, Z3);
        f.mul(Y3, B, t2);
        P384Field.sub(Y3, Y3, Z3);
        P384Field.add(X3, Y3, Y3);
        P384Field.add(Y3, X3, Y3);
        P384Field.sub(X3, t1, Y3);
        P384Field.add(Y3, t1, Y3);
        f.mul(Y3, X3, Y3);
        f.mul(X3, X3, t3);
        P384Field.add(t3, t2, t2);
        P384Field.add(t2, t2, t3);
        f.mul(Z3, B, Z3);
        P384Field.sub(Z3, Z3, t2);
        P384Field.sub(Z3, Z3, t0);
        P384Field.add(t3, Z3, Z3);
        P384Field.add(Z3, Z3, t3);
        P384Field.add(t3, t0, t0);
        P384Field.add(t0, t3, t0);
        P384Field.sub(t0, t0, t2);
        f.mul(t0, t0, Z3);
        P384Field.add(Y3, Y3, t0);
        f.mul(t0, y, z);
        P384Field.add(t0, t0, t0);
        f.mul(Z3, t0, Z3);
        P384Field.sub(X3, X3, Z3);
        f.mul(Z3, t0, t1);
        P384Field.add(Z3, Z3, Z3);
        P384Field.add(Z3, Z3, Z3);
        P384Field.copy(ox, X3);
        P384Field.copy(oy, Y3);
        P384Field.copy(oz, Z3);
    }

    // ------------------------------------------------------------------ Jacobian coordinates

    // Scratch of the Jacobian formulas (x = X/Z², y = Y/Z³), separate from the RCB temporaries.
    private final long[] j0 = new long[W], j1 = new long[W], j2 = new long[W], j3 = new long[W],
            j4 = new long[W], j5 = new long[W], j6 = new long[W], j7 = new long[W];

    /**
     * 2·(x:y:z) in place, Jacobian, a = −3 ("dbl-2001-b" of the Explicit-Formulas Database, with
     * Z3 = 2YZ: 4M + 4S; the small multiples by {@link P384Field#lin}). Z = 0 (the identity) stays
     * Z = 0; on a curve of odd order no other point is exceptional.
     */
    void dblJacobian(long[] x, long[] y, long[] z) {
        P384Field f = this.f;
        long[] delta = j0, gamma = j1, beta = j2, alpha = j3, t = j4;
        f.sqr(delta, z);
        f.sqr(gamma, y);
        f.mul(beta, x, gamma);
        P384Field.lin(t, x, 3, delta, -3);
        P384Field.add(alpha, x, delta);
        f.mul(alpha, t, alpha); // α = 3(x − δ)(x + δ)
        f.mul(z, y, z);
        P384Field.add(z, z, z); // Z3 = 2YZ (one multiplication is cheaper here than (Y + Z)² − γ − δ)
        f.sqr(x, alpha);
        P384Field.lin(x, x, 1, beta, -8); // X3 = α² − 8β
        P384Field.lin(t, beta, 4, x, -1); // 4β − X3
        f.mul(t, alpha, t);
        f.sqr(gamma, gamma);
        P384Field.lin(y, t, 1, gamma, -8); // Y3 = α(4β − X3) − 8γ²
    }

    /**
     * (ox:oy:oz) = (x1:y1:z1) + (x2, y2), Jacobian plus affine ("madd-2007-bl" of the
     * Explicit-Formulas Database, with Z3 = 2·Z1·H: 8M + 3S); outputs must not alias inputs. Correct
     * when the inputs differ and neither is the identity (P + (−P) gives Z = 0, the identity, as it
     * should); an identity first input (Z1 = 0) or (x2, y2) = (x1:y1:z1) give garbage, so callers
     * rule those out or replace the result by masked selection.
     */
    void addMixedJacobian(long[] ox, long[] oy, long[] oz,
                          long[] x1, long[] y1, long[] z1, long[] x2, long[] y2) {
        P384Field f = this.f;
        long[] z1z1 = j0, u2 = j1, s2 = j2, h = j3, i = j4, j = j5, r = j6, v = j7;
        f.sqr(z1z1, z1);
        f.mul(u2, x2, z1z1);
        f.mul(s2, y2, z1);
        f.mul(s2, s2, z1z1);
        P384Field.sub(h, u2, x1);
        long[] h2 = r;
        P384Field.add(h2, h, h);
        f.sqr(i, h2); // I = (2H)²
        f.mul(oz, z1, h2); // Z3 = 2·Z1·H
        f.mul(j, h, i);
        P384Field.lin(r, s2, 2, y1, -2); // r = 2(S2 − Y1)
        f.mul(v, x1, i);
        f.sqr(ox, r);
        P384Field.lin(ox, ox, 1, v, -2);
        P384Field.sub(ox, ox, j); // X3 = r² − J − 2V
        P384Field.sub(oy, v, ox);
        f.mul(oy, r, oy);
        f.mul(v, y1, j);
        P384Field.lin(oy, oy, 1, v, -2); // Y3 = r(V − X3) − 2·Y1·J
    }

    // ------------------------------------------------------------------ scalar multiplication

    /** Constant-time equality mask of two small non-negative ints: −1 if a == b else 0. */
    static long eqMask(int a, int b) {
        return ((long) (a ^ b) - 1) >> 63;
    }

    /** Bit {@code pos} of a 48-byte big-endian scalar, 0 outside [0, 384) (branch on the position only). */
    private static int bit(byte[] k, int pos) {
        if (pos < 0 || pos >= 384) return 0;
        return (k[47 - (pos >>> 3)] >>> (pos & 7)) & 1;
    }

    /**
     * Signed 5-bit window {@code i} (0 = least significant) of k in Booth form: bits 5i − 1 .. 5i + 4
     * give a digit in [−16, 16] with Σ digit_i·32^i = k over i = 0..76. Returns |digit| in the low
     * bits and, in bit 8, the sign (1 = negative); branch-free in the bits.
     */
    static int boothDigit(byte[] k, int i) {
        int w = 0;
        for (int j = 0; j < 6; j++) w |= bit(k, 5 * i - 1 + j) << j;
        int neg = -(w >>> 5); // all ones when the top bit is set: digit −((64 − w) >> 1)
        int d = ((63 - w) & neg) | (w & ~neg);
        d = (d >>> 1) + (d & 1);
        return d | ((neg & 1) << 8);
    }

    /**
     * (ox:oy:oz) = k·(qx, qy) (homogeneous projective output) for an affine point q on the curve and
     * a 48-byte big-endian scalar 0 ≤ k &lt; n. Constant time in k: 77 signed 5-bit windows (Booth
     * recoding, digits −16..16), each with 5 Jacobian doublings, one lookup reading all 16 affine
     * table entries j·q, a masked negation of y, one Jacobian mixed addition and masked selections,
     * whatever the digits.
     *
     * <p>The addition formula is not complete, so its exceptions are excluded or masked. Before
     * window i the accumulator is a·q with a = Σ_{j&gt;i} digit_j·32^{j−i} = 32·(⌊k/32^{i+1}⌋ +
     * bit 5i+4 of k), so 0 ≤ a ≤ k/32^i + 32, and the entry is e·q with e = digit_i, 1 ≤ |e| ≤ 16.
     * An exception needs a ≡ ±e (mod n): a = ±e is impossible (a is a multiple of 32) unless a = 0,
     * the identity accumulator, for which the entry is selected instead of the sum; a = n ± e needs
     * a ≥ n − 16, impossible before the last window (a ≤ k/32 + 32). At the last window a + e = k,
     * so a ≡ −e means k ≡ 0 (excluded; the formula even gives Z = 0 then), and a ≡ e means
     * k = n + 2e with e &lt; 0; for this n none of the 16 scalars n − 2, n − 4, …, n − 32 has e as its
     * lowest Booth digit (P384OracleTest checks every k in [n − 64, n) and [1, 64]). A zero digit
     * keeps the accumulator.
     */
    void mulVariable(long[] ox, long[] oy, long[] oz, long[] qx, long[] qy, byte[] k) {
        // table[j − 1] = j·q, j = 1..16, built Jacobian, then affine (public data: q is the peer's key)
        long[][] tx = new long[16][W], ty = new long[16][W], tz = new long[16][W];
        P384Field.copy(tx[0], qx);
        P384Field.copy(ty[0], qy);
        tz[0][0] = 1;
        P384Field.copy(tx[1], qx);
        P384Field.copy(ty[1], qy);
        tz[1][0] = 1;
        dblJacobian(tx[1], ty[1], tz[1]);
        for (int j = 2; j < 16; j++) { // (j+1)·q = j·q + q; j·q ≠ ±q as 2 ≤ j ≤ 15 < n − 1
            addMixedJacobian(tx[j], ty[j], tz[j], tx[j - 1], ty[j - 1], tz[j - 1], qx, qy);
        }
        batchToAffine(tx, ty, tz, true); // Z ≠ 0: j·q is not the identity for 1 ≤ j ≤ 16 < n
        long[] ax = new long[W], ay = new long[W], az = new long[W]; // identity (Z = 0)
        long[] lx = new long[W], ly = new long[W], lz = new long[W], ny = new long[W];
        long[] sx = new long[W], sy = new long[W], sz = new long[W];
        for (int i = 76; i >= 0; i--) {
            if (i != 76) { // position only
                for (int d = 0; d < 5; d++) dblJacobian(ax, ay, az);
            }
            int rec = boothDigit(k, i);
            lookup(lx, ly, lz, ny, tx, ty, null, 0, rec);
            long accIsIdentity = P384Field.isZeroMask(az);
            addMixedJacobian(sx, sy, sz, ax, ay, az, lx, ly);
            accumulate(ax, ay, az, sx, sy, sz, lx, ly, lz, accIsIdentity, rec);
        }
        toHomogeneous(ox, oy, oz, ax, ay, az, sz);
        wipe(ax, ay, az, lx, ly, lz, ny, sx, sy, sz);
        wipeTemporaries();
    }

    /**
     * (lx, ly, lz) = the entry of the Booth digit {@code rec} ({@link #boothDigit}): entry |d| − 1
     * of the 16 at {@code base} with y negated for a negative digit, or all zero for d = 0 (a point
     * with Z = 0). Reads all 16 entries and selects by mask; {@code zs == null} means affine entries
     * (Z = 1). ny is scratch.
     */
    private static void lookup(long[] lx, long[] ly, long[] lz, long[] ny,
                               long[][] xs, long[][] ys, long[][] zs, int base, int rec) {
        int di = rec & 0xFF;
        java.util.Arrays.fill(lx, 0L);
        java.util.Arrays.fill(ly, 0L);
        java.util.Arrays.fill(lz, 0L);
        for (int j = 0; j < 16; j++) {
            long m = eqMask(di, j + 1);
            long[] ex = xs[base + j], ey = ys[base + j];
            for (int w = 0; w < W; w++) {
                lx[w] |= ex[w] & m;
                ly[w] |= ey[w] & m;
            }
            if (zs != null) { // the table's kind, not the digit
                long[] ez = zs[base + j];
                for (int w = 0; w < W; w++) lz[w] |= ez[w] & m;
            }
        }
        if (zs == null) lz[0] = ~eqMask(di, 0) & 1;
        P384Field.neg(ny, ly);
        P384Field.select(ly, ly, ny, -(long) (rec >>> 8)); // −(X : Y : Z) = (X : −Y : Z)
    }

    /**
     * acc = (acc is the identity) ? entry : (digit 0 ? acc : sum), by masks; (sx:sy:sz) is the
     * incomplete sum acc + entry, overwritten.
     */
    private static void accumulate(long[] ax, long[] ay, long[] az, long[] sx, long[] sy, long[] sz,
                                   long[] lx, long[] ly, long[] lz, long accIsIdentity, int rec) {
        long keep = eqMask(rec & 0xFF, 0) & ~accIsIdentity;
        P384Field.select(sx, sx, ax, keep);
        P384Field.select(sy, sy, ay, keep);
        P384Field.select(sz, sz, az, keep);
        P384Field.select(ax, sx, lx, accIsIdentity);
        P384Field.select(ay, sy, ly, accIsIdentity);
        P384Field.select(az, sz, lz, accIsIdentity);
    }

    /** Jacobian (X, Y, Z) to homogeneous (X·Z : Y : Z³) (X·Z/Z³ = X/Z², Y/Z³); t is scratch. */
    private void toHomogeneous(long[] ox, long[] oy, long[] oz, long[] x, long[] y, long[] z, long[] t) {
        f.mul(ox, x, z);
        P384Field.copy(oy, y);
        f.sqr(t, z);
        f.mul(oz, t, z);
    }

    /**
     * (ox:oy:oz) = k·G for a 48-byte big-endian scalar 0 ≤ k &lt; n, constant time in k: with the
     * signed 5-bit Booth digits d_0..d_76 of k ({@link #boothDigit}, |d_i| ≤ 16), k·G = Σ_i
     * d_i·(32^i·G), one Jacobian mixed addition per digit and no doubling at all. Each term comes
     * from the precomputed affine multiples j·32^i·G (j = 1..16) by a lookup reading all 16
     * entries and a masked negation of y for a negative digit.
     *
     * <p>The mixed addition is not complete; its exceptions are masked or cannot occur. Before
     * window i the accumulator is a·G with a = Σ_{j&lt;i} d_j·32^j = (k mod 2^5i) − 2^5i·(bit 5i − 1
     * of k), so −2^(5i−1) ≤ a &lt; 2^(5i−1), and the term is e·32^i·G with e = d_i, 1 ≤ |e| ≤ 16.
     * a = 0 (only when d_0..d_(i−1) are all 0) is the identity accumulator: the term is selected
     * instead of the sum. Otherwise an exception needs a ≡ ±e·32^i (mod n); as integers |a| &lt;
     * 32^i ≤ |e|·32^i, and for i ≤ 75 |a| + |e|·32^i &lt; 2^384 − 2^383 &lt; n rules out a difference of
     * n. At i = 76, e = d_76 ∈ [0, 16] (bit 384 of k is 0): a ≡ −e·2^380 means k ≡ 0 (excluded; the
     * formula gives Z = 0, the identity, anyway), and a + n = e·2^380 would need both k = e·2^381 − n
     * &lt; n (e ≤ 15) and |e·2^380 − n| ≤ 2^379 (e = 16). A zero digit keeps the accumulator.
     * P384OracleTest checks k in [1, 40], [n − 40, n) and around 2^379, 2^380 and 2^383.
     */
    void mulGenerator(long[] ox, long[] oy, long[] oz, byte[] k) {
        long[] ax = new long[W], ay = new long[W], az = new long[W]; // identity (Z = 0)
        long[] lx = new long[W], ly = new long[W], lz = new long[W], ny = new long[W];
        long[] sx = new long[W], sy = new long[W], sz = new long[W];
        for (int i = 0; i < GeneratorTable.WINDOWS; i++) {
            int rec = boothDigit(k, i);
            lookup(lx, ly, lz, ny, GeneratorTable.X, GeneratorTable.Y, null, i * GeneratorTable.ENTRIES, rec);
            long accIsIdentity = P384Field.isZeroMask(az);
            addMixedJacobian(sx, sy, sz, ax, ay, az, lx, ly);
            accumulate(ax, ay, az, sx, sy, sz, lx, ly, lz, accIsIdentity, rec);
        }
        toHomogeneous(ox, oy, oz, ax, ay, az, sz);
        wipe(ax, ay, az, lx, ly, lz, ny, sx, sy, sz);
        wipeTemporaries();
    }

    /** Zeroes the given scratch arrays (intermediate values depending on a secret scalar). */
    static void wipe(long[]... arrays) {
        for (long[] a : arrays) java.util.Arrays.fill(a, 0L);
    }

    /** Zeroes the formula temporaries of this instance. */
    void wipeTemporaries() {
        wipe(t0, t1, t2, t3, t4, x3, y3, z3, j0, j1, j2, j3, j4, j5, j6, j7);
    }

    /**
     * Replaces the points (x[i] : y[i] : z[i]), none with Z = 0, by their affine coordinates in
     * place (z untouched): Jacobian (x = X/Z², y = Y/Z³) or homogeneous (x = X/Z, y = Y/Z). One
     * inversion for all (Montgomery's trick: the prefix products of the Z, one inverse, then each
     * 1/Z peeled off it). Public data.
     */
    void batchToAffine(long[][] x, long[][] y, long[][] z, boolean jacobian) {
        int count = x.length;
        long[][] prefix = new long[count][W];
        P384Field.copy(prefix[0], z[0]);
        for (int i = 1; i < count; i++) f.mul(prefix[i], prefix[i - 1], z[i]);
        long[] inv = new long[W], zi = new long[W], zi2 = new long[W];
        f.inv(inv, prefix[count - 1]);
        for (int i = count - 1; i >= 0; i--) {
            if (i > 0) { // position only
                f.mul(zi, inv, prefix[i - 1]);
                f.mul(inv, inv, z[i]);
            } else {
                P384Field.copy(zi, inv);
            }
            if (jacobian) {
                f.sqr(zi2, zi);
                f.mul(x[i], x[i], zi2);
                f.mul(zi, zi, zi2);
            } else {
                f.mul(x[i], x[i], zi);
            }
            f.mul(y[i], y[i], zi);
        }
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
        P384Field.fromBytes(x, in, off + 1);
        if (P384Field.lessThanPMask(x) == 0) return false;
        long[] rhs = new long[W];
        curveRhs(rhs, x);
        f.sqrtCandidate(y, rhs);
        long[] chk = new long[W];
        f.sqr(chk, y);
        if (P384Field.equalMask(chk, rhs) == 0) return false;
        if ((y[0] & 1) != (prefix & 1)) P384Field.neg(y, y);
        return (y[0] & 1) == (prefix & 1); // fails only for y = 0 with prefix 3 (no such point)
    }

    /** rhs = x³ − 3x + b. */
    void curveRhs(long[] rhs, long[] x) {
        long[] t = new long[W];
        f.sqr(t, x);
        f.mul(t, t, x);
        P384Field.sub(t, t, x);
        P384Field.sub(t, t, x);
        P384Field.sub(t, t, x);
        P384Field.add(rhs, t, B);
    }

    /** True iff the affine (x, y) satisfies the curve equation. */
    boolean onCurve(long[] x, long[] y) {
        long[] rhs = new long[W];
        long[] lhs = new long[W];
        curveRhs(rhs, x);
        f.sqr(lhs, y);
        return P384Field.equalMask(lhs, rhs) != 0;
    }

    // ------------------------------------------------------------------ helpers

    static long[] words(String hex) {
        long[] w = new long[W];
        P384Field.fromBytes(w, bytes(hex), 0);
        return w;
    }

    static byte[] bytes(String hex) {
        return java.util.HexFormat.of().parseHex(hex);
    }

    /**
     * Lazily built affine table j·32^i·G for the Booth windows i = 0..76 and j = 1..16, index
     * i·16 + (j − 1) (≈ 236 KB, a few milliseconds to build once). Public data.
     */
    static final class GeneratorTable {
        static final int WINDOWS = 77; // ⌈385 / 5⌉: Booth digits of a scalar below 2^384
        static final int ENTRIES = 16;
        static final long[][] X = new long[WINDOWS * ENTRIES][W];
        static final long[][] Y = new long[WINDOWS * ENTRIES][W];

        static {
            P384Curve c = new P384Curve();
            P384Field f = c.f;
            int count = WINDOWS * ENTRIES;
            long[][] pz = new long[count][W];
            long[] bx = GX.clone(), by = GY.clone(), bz = new long[W];
            bz[0] = 1;
            for (int i = 0; i < WINDOWS; i++) {
                int base = i * ENTRIES;
                P384Field.copy(X[base], bx);
                P384Field.copy(Y[base], by);
                P384Field.copy(pz[base], bz);
                for (int j = 2; j <= ENTRIES; j++) {
                    int e = base + j - 1;
                    c.add(X[e], Y[e], pz[e], X[e - 1], Y[e - 1], pz[e - 1], bx, by, bz);
                }
                for (int d = 0; d < 5; d++) c.dbl(bx, by, bz, bx, by, bz);
            }
            // none of the Z is zero (n is prime, j·32^i is not a multiple of it)
            c.batchToAffine(X, Y, pz, false);
        }

        private GeneratorTable() {}
    }
}
