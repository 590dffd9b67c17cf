package dev.planetary.zssp.crypto;

import dev.planetary.zssp.RandomSource;
import java.util.Arrays;
import java.util.Objects;

/**
 * CRYSTALS-Kyber1024 as submitted to round 3 of the NIST PQC process (specification v3.02,
 * SHA3/SHAKE instantiation, not the "90s" variant and not FIPS 203 ML-KEM), which is what ZSSP puts
 * on the wire (spec §2.2).
 *
 * <p>Parameters: n = 256, q = 3329, k = 4, η1 = η2 = 2, du = 11, dv = 5. Symmetric primitives:
 * H = SHA3-256, G = SHA3-512, XOF = SHAKE128, PRF(s, b) = SHAKE256(s ‖ b), KDF = SHAKE256 with
 * 32 bytes of output.
 *
 * <ul>
 *   <li>Key generation draws d then z (32 bytes each): (ρ, σ) = G(d); the secret key is
 *       {@code ŝ (1536) ‖ pk (1568) ‖ H(pk) (32) ‖ z (32)}.
 *   <li>Encapsulation draws m (32 bytes): m' = H(m); (K̄, r) = G(m' ‖ H(pk)); c = CPA-Enc(pk, m', r);
 *       K = KDF(K̄ ‖ H(c)).
 *   <li>Decapsulation re-encrypts and selects, in constant time, K = KDF(K̄' ‖ H(c)) when the
 *       re-encryption equals c and K = KDF(z ‖ H(c)) otherwise (implicit rejection). It never throws
 *       for a correctly sized ciphertext.
 * </ul>
 *
 * <p>Polynomials are {@code short[256]} arrays; arithmetic follows the specification's
 * implementation notes: an NTT with Montgomery multiplication (R = 2^16) and Barrett reduction, with
 * multiplication in the NTT domain done pairwise in Z_q[X]/(X² − γ). The matrix Â is never stored:
 * each entry is sampled from SHAKE128 when it is needed. Operations on secret data (noise sampling,
 * decryption, message decoding, the re-encryption comparison and the key selection) use no
 * secret-dependent branches or table look-ups. Instances are stateless and thread-safe.
 */
public final class Kyber1024 implements Kem {
    public static final String NAME = "Kyber1024";
    public static final int PUBLIC_KEY_SIZE = 1568;
    public static final int SECRET_KEY_SIZE = 3168;
    public static final int CIPHERTEXT_SIZE = 1568;
    public static final int SHARED_SECRET_SIZE = 32;
    /** Size of each of the coins d, z (key generation) and m (encapsulation). */
    public static final int COIN_SIZE = 32;

    private static final Kyber1024 INSTANCE = new Kyber1024();

    static final int N = 256;
    static final int Q = 3329;
    private static final int K = 4;
    private static final int DU = 11;
    private static final int DV = 5;
    private static final int SYM = 32;
    private static final int POLY_BYTES = 384; // 256 coefficients × 12 bits
    private static final int POLYVEC_BYTES = K * POLY_BYTES; // 1536
    private static final int POLY_COMPRESSED_DU = N * DU / 8; // 352
    private static final int POLYVEC_COMPRESSED = K * POLY_COMPRESSED_DU; // 1408
    private static final int ETA_BYTES = 2 * N / 4; // 64·η with η = 2: 128

    // Secret key layout.
    private static final int SK_PK = POLYVEC_BYTES; // 1536
    private static final int SK_HPK = SK_PK + PUBLIC_KEY_SIZE; // 3104
    private static final int SK_Z = SK_HPK + SYM; // 3136

    /** q^-1 mod 2^16, as a signed 16-bit value. */
    private static final int QINV = -3327;
    /** 2^32 mod q: multiplying by it with a Montgomery reduction converts to Montgomery form. */
    private static final int MONT_SQUARED = 1353;
    /** R²/128 mod q: the final scaling of the inverse NTT (undoes the 2^7 and adds a factor R). */
    private static final int INV_NTT_SCALE = 1441;
    /** round(2^26 / q), for Barrett reduction. */
    private static final int BARRETT_V = 20159;
    /** ceil(2^40 / q): floor(x / q) = (x · DIV_Q_M) >>> 40 for 0 ≤ x < 2^24 (checked by test). */
    static final long DIV_Q_M = ((1L << 40) + Q - 1) / Q;

    /**
     * ζ_i = 17^bitrev7(i) · 2^16 mod q (Montgomery form, centred in [−(q−1)/2, (q−1)/2]) for
     * i = 0..127; 17 is a primitive 256th root of unity mod q.
     */
    static final short[] ZETAS = computeZetas();

    public Kyber1024() {}

    /** The shared instance (the class is stateless). */
    public static Kyber1024 instance() {
        return INSTANCE;
    }

    @Override public String name() { return NAME; }
    @Override public int publicKeySize() { return PUBLIC_KEY_SIZE; }
    @Override public int ciphertextSize() { return CIPHERTEXT_SIZE; }
    @Override public int sharedSecretSize() { return SHARED_SECRET_SIZE; }

    @Override
    public String toString() {
        return "Kyber1024 (round 3)";
    }

    // ------------------------------------------------------------------------------------------
    // KEM API

    @Override
    public KemKeyPair generateKeyPair(RandomSource rng) {
        Objects.requireNonNull(rng, "rng");
        byte[] d = new byte[COIN_SIZE];
        byte[] z = new byte[COIN_SIZE];
        try {
            rng.nextBytes(d, 0, COIN_SIZE);
            rng.nextBytes(z, 0, COIN_SIZE);
            return generateKeyPair(d, z);
        } finally {
            Secrets.wipe(d, z);
        }
    }

    /**
     * Deterministic key generation from the two coins the randomized version draws (d first, then
     * z). For test vectors; with real use the coins must be fresh uniform random bytes.
     */
    public KemKeyPair generateKeyPair(byte[] d, byte[] z) {
        checkCoin("d", d);
        checkCoin("z", z);
        byte[] pk = new byte[PUBLIC_KEY_SIZE];
        byte[] sk = new byte[SECRET_KEY_SIZE];
        Work w = new Work();
        try {
            cpaKeyPair(d, pk, sk, w);
            System.arraycopy(pk, 0, sk, SK_PK, PUBLIC_KEY_SIZE);
            w.hash256(pk, 0, PUBLIC_KEY_SIZE, sk, SK_HPK);
            System.arraycopy(z, 0, sk, SK_Z, SYM);
            return new KemKeyPair(pk, new PrivateKey(sk));
        } finally {
            w.wipe();
        }
    }

    @Override
    public KemEncapsulation encapsulate(byte[] buf, int off, RandomSource rng) {
        Kem.checkRange(NAME + " public key", buf, off, PUBLIC_KEY_SIZE);
        Objects.requireNonNull(rng, "rng");
        byte[] m = new byte[COIN_SIZE];
        try {
            rng.nextBytes(m, 0, COIN_SIZE);
            return encapsulateWith(buf, off, m);
        } finally {
            Secrets.wipe(m);
        }
    }

    /**
     * Deterministic encapsulation from the coin m the randomized version draws. For test vectors;
     * with real use m must be fresh uniform random bytes.
     */
    public KemEncapsulation encapsulate(byte[] publicKey, byte[] m) {
        if (publicKey == null || publicKey.length != PUBLIC_KEY_SIZE) {
            throw new IllegalArgumentException(NAME + " public key must be " + PUBLIC_KEY_SIZE
                    + " bytes, got " + (publicKey == null ? "null" : publicKey.length));
        }
        checkCoin("m", m);
        return encapsulateWith(publicKey, 0, m);
    }

    private KemEncapsulation encapsulateWith(byte[] pk, int pkOff, byte[] m) {
        Work w = new Work();
        byte[] mh = new byte[2 * SYM]; // m' ‖ H(pk)
        byte[] kr = new byte[2 * SYM]; // K̄ ‖ r, later K̄ ‖ H(c)
        try {
            w.hash256(m, 0, SYM, mh, 0); // never use the raw RNG output directly
            w.hash256(pk, pkOff, PUBLIC_KEY_SIZE, mh, SYM);
            w.hash512(mh, 0, 2 * SYM, kr, 0);
            byte[] ct = new byte[CIPHERTEXT_SIZE];
            cpaEncrypt(pk, pkOff, mh, kr, SYM, ct, 0, w);
            w.hash256(ct, 0, CIPHERTEXT_SIZE, kr, SYM);
            byte[] ss = new byte[SHARED_SECRET_SIZE];
            w.kdf(kr, ss);
            return new KemEncapsulation(ct, ss);
        } finally {
            Secrets.wipe(mh, kr);
            w.wipe();
        }
    }

    @Override
    public byte[] decapsulate(KemPrivateKey privateKey, byte[] buf, int off) {
        PrivateKey key = asKyberKey(privateKey);
        Kem.checkRange(NAME + " ciphertext", buf, off, CIPHERTEXT_SIZE);
        byte[] sk = key.material();
        Work w = new Work();
        byte[] mh = new byte[2 * SYM]; // m' ‖ H(pk)
        byte[] kr = new byte[2 * SYM];
        byte[] cmp = new byte[CIPHERTEXT_SIZE];
        try {
            cpaDecrypt(sk, buf, off, mh, w);
            System.arraycopy(sk, SK_HPK, mh, SYM, SYM);
            w.hash512(mh, 0, 2 * SYM, kr, 0);
            cpaEncrypt(sk, SK_PK, mh, kr, SYM, cmp, 0, w);

            // fail = all ones when the re-encryption differs from c, else zero (no branches)
            int diff = 0;
            for (int i = 0; i < CIPHERTEXT_SIZE; i++) diff |= cmp[i] ^ buf[off + i];
            int fail = ((diff & 0xff) - 1) >>> 31 ^ 1; // 1 if diff != 0
            int mask = -fail;

            w.hash256(buf, off, CIPHERTEXT_SIZE, kr, SYM);
            for (int i = 0; i < SYM; i++) {
                kr[i] ^= (byte) (mask & (kr[i] ^ sk[SK_Z + i]));
            }
            byte[] ss = new byte[SHARED_SECRET_SIZE];
            w.kdf(kr, ss);
            return ss;
        } finally {
            Secrets.wipe(mh, kr, cmp);
            w.wipe();
        }
    }

    /**
     * Wraps an encoded round-3 secret key ({@code ŝ ‖ pk ‖ H(pk) ‖ z}, 3168 bytes; copied). For
     * tests (known-answer files carry secret keys); the protocol only uses generated keys.
     */
    static KemPrivateKey importPrivateKey(byte[] sk) {
        if (sk == null || sk.length != SECRET_KEY_SIZE) {
            throw new IllegalArgumentException(NAME + " secret key must be " + SECRET_KEY_SIZE
                    + " bytes, got " + (sk == null ? "null" : sk.length));
        }
        return new PrivateKey(sk.clone());
    }

    /** A copy of the encoded secret key (tests only). */
    static byte[] exportPrivateKey(KemPrivateKey key) {
        return asKyberKey(key).material().clone();
    }

    private static PrivateKey asKyberKey(KemPrivateKey privateKey) {
        if (privateKey == null) throw new IllegalArgumentException(NAME + " private key is null");
        if (!(privateKey instanceof PrivateKey key)) {
            throw new IllegalArgumentException("not a " + NAME + " private key: "
                    + privateKey.algorithm());
        }
        return key;
    }

    private static void checkCoin(String name, byte[] coin) {
        if (coin == null || coin.length != COIN_SIZE) {
            throw new IllegalArgumentException(NAME + " coin " + name + " must be " + COIN_SIZE
                    + " bytes, got " + (coin == null ? "null" : coin.length));
        }
    }

    /** Round-3 secret key holder. */
    static final class PrivateKey implements KemPrivateKey {
        private final byte[] sk;
        private volatile boolean destroyed;

        PrivateKey(byte[] sk) {
            this.sk = sk;
        }

        byte[] material() {
            if (destroyed) throw new IllegalStateException(NAME + " private key has been destroyed");
            return sk;
        }

        @Override public String algorithm() { return NAME; }

        @Override
        public void destroy() {
            destroyed = true;
            Secrets.wipe(sk);
        }

        @Override public boolean isDestroyed() { return destroyed; }

        @Override
        public String toString() {
            return NAME + " private key" + (destroyed ? " (destroyed)" : "");
        }
    }

    // ------------------------------------------------------------------------------------------
    // IND-CPA public-key encryption (Kyber.CPAPKE)

    /** Per-operation scratch space (one polynomial vector, three polynomials, the sponges). */
    private static final class Work {
        final short[][] vec = new short[K][N];
        final short[] acc = new short[N];
        final short[] a = new short[N];
        final short[] t = new short[N];
        final byte[] block = new byte[Keccak.SHAKE128_RATE];
        final byte[] prf = new byte[ETA_BYTES];
        final byte[] seeds = new byte[2 * SYM];
        final Keccak xof = Keccak.newShake128();
        final Keccak shake = Keccak.newShake256();
        final Keccak h = Keccak.newSha3_256();
        final Keccak g = Keccak.newSha3_512();

        void hash256(byte[] in, int off, int len, byte[] out, int outOff) {
            h.reset().absorb(in, off, len).squeeze(out, outOff, 32);
        }

        void hash512(byte[] in, int off, int len, byte[] out, int outOff) {
            g.reset().absorb(in, off, len).squeeze(out, outOff, 64);
        }

        void kdf(byte[] in, byte[] out) {
            shake.reset().absorb(in).squeeze(out, 0, out.length);
        }

        /** CBD_2(PRF(seed[off..off+32], nonce)) into {@code r}. */
        void noise(byte[] seed, int off, int nonce, short[] r) {
            shake.reset().absorb(seed, off, SYM).absorb((byte) nonce).squeeze(prf, 0, ETA_BYTES);
            cbd2(prf, r);
        }

        /** Â entry sampled from XOF(ρ ‖ x ‖ y) by rejection, into {@code r}. */
        void matrixEntry(byte[] rho, int rhoOff, int x, int y, short[] r) {
            xof.reset().absorb(rho, rhoOff, SYM).absorb((byte) x).absorb((byte) y);
            int ctr = 0;
            while (ctr < N) {
                xof.squeeze(block, 0, block.length); // 168 = 56 × 3 bytes
                for (int pos = 0; pos < block.length && ctr < N; pos += 3) {
                    int b0 = block[pos] & 0xff, b1 = block[pos + 1] & 0xff, b2 = block[pos + 2] & 0xff;
                    int d1 = (b0 | (b1 << 8)) & 0xfff;
                    int d2 = (b1 >>> 4) | (b2 << 4);
                    if (d1 < Q) r[ctr++] = (short) d1;
                    if (d2 < Q && ctr < N) r[ctr++] = (short) d2;
                }
            }
        }

        void wipe() {
            for (short[] p : vec) Arrays.fill(p, (short) 0);
            Arrays.fill(acc, (short) 0);
            Arrays.fill(a, (short) 0);
            Arrays.fill(t, (short) 0);
            Secrets.wipe(block, prf, seeds);
            xof.reset();
            shake.reset();
            h.reset();
            g.reset();
        }
    }

    /** Kyber.CPAPKE.KeyGen(d): writes pk = Encode12(t̂) ‖ ρ and the first 1536 bytes of sk = Encode12(ŝ). */
    private static void cpaKeyPair(byte[] d, byte[] pk, byte[] sk, Work w) {
        byte[] seeds = w.seeds; // ρ ‖ σ
        w.hash512(d, 0, SYM, seeds, 0);
        short[][] s = w.vec;
        for (int i = 0; i < K; i++) {
            w.noise(seeds, SYM, i, s[i]);
            ntt(s[i]);
        }
        short[] t = w.acc;
        for (int i = 0; i < K; i++) {
            // t̂[i] = Σ_j Â[i][j] ∘ ŝ[j], with Â[i][j] = Parse(XOF(ρ ‖ j ‖ i))
            Arrays.fill(t, (short) 0);
            for (int j = 0; j < K; j++) {
                w.matrixEntry(seeds, 0, j, i, w.a);
                basemulAccumulate(t, w.a, s[j]);
            }
            for (int n = 0; n < N; n++) {
                // the products carry a factor R^-1; multiplying by R² · R^-1 removes it
                t[n] = (short) montgomery(t[n] * MONT_SQUARED);
            }
            w.noise(seeds, SYM, K + i, w.t); // e[i]
            ntt(w.t);
            for (int n = 0; n < N; n++) t[n] = (short) (t[n] + w.t[n]);
            encode12(t, pk, i * POLY_BYTES);
        }
        System.arraycopy(seeds, 0, pk, POLYVEC_BYTES, SYM);
        for (int i = 0; i < K; i++) encode12(s[i], sk, i * POLY_BYTES);
    }

    /**
     * Kyber.CPAPKE.Enc(pk, m, r): pk at {@code pk[pkOff..]}, m = {@code msg[0..32]}, coins r =
     * {@code coins[coinsOff..+32]}; the ciphertext goes to {@code ct[ctOff..+1568]}.
     */
    private static void cpaEncrypt(byte[] pk, int pkOff, byte[] msg, byte[] coins, int coinsOff,
                                   byte[] ct, int ctOff, Work w) {
        int rhoOff = pkOff + POLYVEC_BYTES;
        short[][] r = w.vec;
        for (int i = 0; i < K; i++) {
            w.noise(coins, coinsOff, i, r[i]);
            ntt(r[i]);
        }
        short[] acc = w.acc;
        for (int i = 0; i < K; i++) {
            // u[i] = NTT^-1(Σ_j Â^T[i][j] ∘ r̂[j]) + e1[i], with Â^T[i][j] = Parse(XOF(ρ ‖ i ‖ j))
            Arrays.fill(acc, (short) 0);
            for (int j = 0; j < K; j++) {
                w.matrixEntry(pk, rhoOff, i, j, w.a);
                basemulAccumulate(acc, w.a, r[j]);
            }
            invNtt(acc);
            w.noise(coins, coinsOff, K + i, w.t); // e1[i]
            for (int n = 0; n < N; n++) acc[n] = (short) (acc[n] + w.t[n]);
            compressPack(acc, DU, ct, ctOff + i * POLY_COMPRESSED_DU);
        }
        // v = NTT^-1(t̂^T ∘ r̂) + e2 + Decompress_1(m)
        Arrays.fill(acc, (short) 0);
        for (int j = 0; j < K; j++) {
            unpack(pk, pkOff + j * POLY_BYTES, 12, w.a);
            basemulAccumulate(acc, w.a, r[j]);
        }
        invNtt(acc);
        w.noise(coins, coinsOff, 2 * K, w.t); // e2
        for (int i = 0; i < SYM; i++) {
            int byteValue = msg[i];
            for (int j = 0; j < 8; j++) {
                int mask = -((byteValue >>> j) & 1);
                int n = 8 * i + j;
                acc[n] = (short) (acc[n] + w.t[n] + (mask & ((Q + 1) / 2)));
            }
        }
        compressPack(acc, DV, ct, ctOff + POLYVEC_COMPRESSED);
    }

    /** Kyber.CPAPKE.Dec(sk, c): ŝ from {@code sk[0..1536]}, c at {@code ct[ctOff..]}; m to {@code msg[0..32]}. */
    private static void cpaDecrypt(byte[] sk, byte[] ct, int ctOff, byte[] msg, Work w) {
        short[] acc = w.acc;
        Arrays.fill(acc, (short) 0);
        for (int j = 0; j < K; j++) {
            // û[j] = NTT(Decompress_du(c1[j])); acc += ŝ[j] ∘ û[j]
            unpack(ct, ctOff + j * POLY_COMPRESSED_DU, DU, w.t);
            decompress(w.t, DU);
            ntt(w.t);
            unpack(sk, j * POLY_BYTES, 12, w.a);
            basemulAccumulate(acc, w.a, w.t);
        }
        invNtt(acc);
        unpack(ct, ctOff + POLYVEC_COMPRESSED, DV, w.t);
        decompress(w.t, DV);
        // m = Compress_1(v − s^T u), bit by bit without branches
        for (int i = 0; i < SYM; i++) {
            int b = 0;
            for (int j = 0; j < 8; j++) {
                int n = 8 * i + j;
                int x = canonical(w.t[n] - acc[n]);
                b |= (int) ((((x << 1) + Q / 2) * DIV_Q_M) >>> 40 & 1) << j;
            }
            msg[i] = (byte) b;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Polynomial arithmetic

    /** Montgomery reduction: a · 2^-16 mod q, result in (−q, q), for |a| < 2^15 · q. */
    static int montgomery(int a) {
        int t = (short) (a * QINV);
        return (a - t * Q) >> 16;
    }

    /** Barrett reduction of a 16-bit value to its centred representative mod q. */
    static int barrett(int a) {
        int t = (BARRETT_V * a + (1 << 25)) >> 26;
        return a - t * Q;
    }

    /** The representative of a in [0, q), for |a| < 2^15, in constant time. */
    static int canonical(int a) {
        int t = barrett(a);
        t += (t >> 31) & Q;
        t -= Q;
        t += (t >> 31) & Q;
        return t;
    }

    private static int fqmul(int a, int b) {
        return montgomery(a * b);
    }

    /**
     * Forward NTT in place (standard order in, bit-reversed order out), then Barrett reduction.
     * Layer by layer, each pair (a, b) becomes (a + ζb, a − ζb).
     */
    static void ntt(short[] r) {
        int k = 1;
        for (int len = 128; len >= 2; len >>= 1) {
            for (int start = 0; start < N; start += 2 * len) {
                int zeta = ZETAS[k++];
                for (int j = start; j < start + len; j++) {
                    int t = fqmul(zeta, r[j + len]);
                    r[j + len] = (short) (r[j] - t);
                    r[j] = (short) (r[j] + t);
                }
            }
        }
        for (int j = 0; j < N; j++) r[j] = (short) barrett(r[j]);
    }

    /**
     * Inverse NTT in place, multiplying by R as well (so that it cancels the R^-1 of the pairwise
     * products). Each pair (x, y) = (a + ζb, a − ζb) becomes (x + y, ζ^-1 (x − y)) = (2a, 2b); the
     * factor 2 per layer is removed by the final scaling by R²/128. The zetas are walked backwards:
     * the block that used ζ_k in the forward layer meets ζ_k' with k + k' = 3 · 2^m − 1 here, and
     * since bitrev7(k) + bitrev7(k') = 128, ζ_k · ζ_k' = 17^128 = −1, i.e. ζ_k^-1 = −ζ_k'; hence
     * the factor (y − x) ζ_k'.
     */
    static void invNtt(short[] r) {
        int k = 127;
        for (int len = 2; len <= 128; len <<= 1) {
            for (int start = 0; start < N; start += 2 * len) {
                int zeta = ZETAS[k--];
                for (int j = start; j < start + len; j++) {
                    int x = r[j];
                    int y = r[j + len];
                    r[j] = (short) barrett(x + y);
                    r[j + len] = (short) fqmul(zeta, y - x);
                }
            }
        }
        for (int j = 0; j < N; j++) r[j] = (short) fqmul(r[j], INV_NTT_SCALE);
    }

    /**
     * acc += a ∘ b in the NTT domain: 128 products of degree-1 polynomials modulo X² − γ with
     * γ = ±ζ_{64+i} (the result carries a factor R^-1). Then a Barrett reduction keeps |acc| small
     * enough for the next accumulation.
     */
    static void basemulAccumulate(short[] acc, short[] a, short[] b) {
        for (int i = 0; i < N / 4; i++) {
            int zeta = ZETAS[64 + i];
            basemul(acc, a, b, 4 * i, zeta);
            basemul(acc, a, b, 4 * i + 2, -zeta);
        }
        for (int j = 0; j < N; j++) acc[j] = (short) barrett(acc[j]);
    }

    /** (a0 + a1 X)(b0 + b1 X) mod (X² − γ) = (a0 b0 + γ a1 b1) + (a0 b1 + a1 b0) X, accumulated. */
    private static void basemul(short[] acc, short[] a, short[] b, int i, int gamma) {
        int a0 = a[i], a1 = a[i + 1], b0 = b[i], b1 = b[i + 1];
        acc[i] = (short) (acc[i] + fqmul(fqmul(a1, b1), gamma) + fqmul(a0, b0));
        acc[i + 1] = (short) (acc[i + 1] + fqmul(a0, b1) + fqmul(a1, b0));
    }

    /**
     * Centred binomial distribution with η = 2 from 128 bytes: each coefficient is
     * (b0 + b1) − (b2 + b3) for four consecutive bits of the little-endian bit stream.
     */
    static void cbd2(byte[] buf, short[] r) {
        for (int i = 0; i < N / 8; i++) {
            int t = (buf[4 * i] & 0xff) | (buf[4 * i + 1] & 0xff) << 8
                    | (buf[4 * i + 2] & 0xff) << 16 | (buf[4 * i + 3] & 0xff) << 24;
            int d = (t & 0x55555555) + ((t >>> 1) & 0x55555555);
            for (int j = 0; j < 8; j++) {
                int x = (d >>> (4 * j)) & 3;
                int y = (d >>> (4 * j + 2)) & 3;
                r[8 * i + j] = (short) (x - y);
            }
        }
    }

    /** Encode_12 of the canonical representatives of {@code p} (p is reduced in place). */
    private static void encode12(short[] p, byte[] out, int off) {
        for (int n = 0; n < N; n++) p[n] = (short) canonical(p[n]);
        pack(p, 12, out, off);
    }

    /** Compress_d (round(2^d / q · x) mod 2^d, x canonical) and Encode_d; {@code p} is overwritten. */
    private static void compressPack(short[] p, int d, byte[] out, int off) {
        int mask = (1 << d) - 1;
        for (int n = 0; n < N; n++) {
            int x = canonical(p[n]);
            p[n] = (short) ((((x << d) + Q / 2) * DIV_Q_M) >>> 40 & mask);
        }
        pack(p, d, out, off);
    }

    /** Decompress_d: round(q / 2^d · x), in place. */
    private static void decompress(short[] p, int d) {
        for (int n = 0; n < N; n++) {
            p[n] = (short) ((p[n] * Q + (1 << (d - 1))) >>> d);
        }
    }

    /** Encode_bits: 256 values of {@code bits} bits each, as a little-endian bit stream. */
    static void pack(short[] p, int bits, byte[] out, int off) {
        int mask = (1 << bits) - 1;
        int acc = 0;
        int have = 0;
        for (int n = 0; n < N; n++) {
            acc |= (p[n] & mask) << have;
            have += bits;
            while (have >= 8) {
                out[off++] = (byte) acc;
                acc >>>= 8;
                have -= 8;
            }
        }
    }

    /** Decode_bits: the inverse of {@link #pack}. */
    static void unpack(byte[] in, int off, int bits, short[] p) {
        int mask = (1 << bits) - 1;
        int acc = 0;
        int have = 0;
        for (int n = 0; n < N; n++) {
            while (have < bits) {
                acc |= (in[off++] & 0xff) << have;
                have += 8;
            }
            p[n] = (short) (acc & mask);
            acc >>>= bits;
            have -= bits;
        }
    }

    private static short[] computeZetas() {
        short[] z = new short[128];
        for (int i = 0; i < 128; i++) {
            int e = Integer.reverse(i) >>> 25; // bitrev7(i)
            long v = 1;
            for (int j = 0; j < e; j++) v = v * 17 % Q;
            v = (v << 16) % Q;
            if (v > Q / 2) v -= Q;
            z[i] = (short) v;
        }
        return z;
    }
}
