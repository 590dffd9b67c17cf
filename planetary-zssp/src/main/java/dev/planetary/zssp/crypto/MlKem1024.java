package dev.planetary.zssp.crypto;

import dev.planetary.zssp.RandomSource;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;
import java.security.spec.NamedParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.DecapsulateException;
import javax.crypto.KEM;
import javax.crypto.SecretKey;
import javax.security.auth.DestroyFailedException;

/**
 * FIPS 203 ML-KEM-1024 from the JDK's own provider (JDK 24 and later), behind the {@link Kem}
 * interface.
 *
 * <p><b>Not wire compatible with ZSSP</b>, which uses round-3 {@link Kyber1024}: for the same
 * coins ML-KEM derives different keys and outputs K̄ directly instead of KDF(K̄ ‖ H(c)). This class
 * exists for comparison and for a future ML-KEM suite.
 *
 * <p>The library targets Java 21, so algorithm names are strings and nothing of the JDK 24+ API is
 * referenced; on an older JDK every operation throws {@link UnsupportedOperationException}
 * ({@link #isAvailable()} tells in advance). Public keys are the raw 1568-byte encapsulation key
 * {@code ByteEncode12(t̂) ‖ ρ}: the JDK's X.509 SubjectPublicKeyInfo wrapper (a fixed 22-byte prefix
 * for this parameter set) is stripped on export and added back on import. Randomness comes from the
 * caller's {@link RandomSource} through a {@link SecureRandom} adapter, so keys and encapsulations
 * are reproducible from recorded draws (the JDK draws d, z for key generation and m for
 * encapsulation, 32 bytes each).
 */
public final class MlKem1024 implements Kem {
    public static final String NAME = "ML-KEM-1024";
    public static final int PUBLIC_KEY_SIZE = 1568;
    public static final int CIPHERTEXT_SIZE = 1568;
    public static final int SHARED_SECRET_SIZE = 32;

    /** DER prefix of the SubjectPublicKeyInfo of an ML-KEM-1024 key (OID 2.16.840.1.101.3.4.4.3). */
    private static final byte[] SPKI_PREFIX = {
        0x30, (byte) 0x82, 0x06, 0x32, 0x30, 0x0b, 0x06, 0x09, 0x60, (byte) 0x86, 0x48, 0x01, 0x65,
        0x03, 0x04, 0x04, 0x03, 0x03, (byte) 0x82, 0x06, 0x21, 0x00,
    };

    private static final String UNAVAILABLE =
            "ML-KEM-1024 needs JDK 24 or later (javax.crypto.KEM \"ML-KEM\" and KeyPairGenerator "
                    + "\"ML-KEM-1024\"); this runtime is Java " + Runtime.version();

    private static final MlKem1024 INSTANCE = new MlKem1024();

    public MlKem1024() {}

    public static MlKem1024 instance() {
        return INSTANCE;
    }

    /** Whether the running JDK provides ML-KEM-1024. */
    public static boolean isAvailable() {
        try {
            KeyPairGenerator.getInstance(NAME);
            KEM.getInstance("ML-KEM");
            return true;
        } catch (NoSuchAlgorithmException e) {
            return false;
        }
    }

    @Override public String name() { return NAME; }
    @Override public int publicKeySize() { return PUBLIC_KEY_SIZE; }
    @Override public int ciphertextSize() { return CIPHERTEXT_SIZE; }
    @Override public int sharedSecretSize() { return SHARED_SECRET_SIZE; }

    @Override
    public String toString() {
        return "ML-KEM-1024 (JDK)";
    }

    @Override
    public KemKeyPair generateKeyPair(RandomSource rng) {
        Objects.requireNonNull(rng, "rng");
        KeyPairGenerator kpg = keyPairGenerator();
        try {
            kpg.initialize(new NamedParameterSpec(NAME), new RandomSourceAdapter(rng));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK rejected the ML-KEM-1024 parameters", e);
        }
        KeyPair kp = kpg.generateKeyPair();
        byte[] spki = kp.getPublic().getEncoded();
        if (spki == null || spki.length != SPKI_PREFIX.length + PUBLIC_KEY_SIZE
                || !Arrays.equals(spki, 0, SPKI_PREFIX.length, SPKI_PREFIX, 0, SPKI_PREFIX.length)) {
            throw new IllegalStateException("unexpected encoding of the JDK's ML-KEM-1024 public key");
        }
        byte[] raw = Arrays.copyOfRange(spki, SPKI_PREFIX.length, spki.length);
        return new KemKeyPair(raw, new JdkPrivateKey(kp.getPrivate()));
    }

    @Override
    public KemEncapsulation encapsulate(byte[] buf, int off, RandomSource rng) {
        Kem.checkRange(NAME + " public key", buf, off, PUBLIC_KEY_SIZE);
        Objects.requireNonNull(rng, "rng");
        KEM kem = kem();
        byte[] spki = new byte[SPKI_PREFIX.length + PUBLIC_KEY_SIZE];
        System.arraycopy(SPKI_PREFIX, 0, spki, 0, SPKI_PREFIX.length);
        System.arraycopy(buf, off, spki, SPKI_PREFIX.length, PUBLIC_KEY_SIZE);
        PublicKey pub;
        KEM.Encapsulated enc;
        try {
            pub = KeyFactory.getInstance("ML-KEM").generatePublic(new X509EncodedKeySpec(spki));
            enc = kem.newEncapsulator(pub, new RandomSourceAdapter(rng)).encapsulate();
        } catch (InvalidKeyException | java.security.spec.InvalidKeySpecException e) {
            // FIPS 203 checks that every coefficient of t̂ is below q (round-3 Kyber does not)
            throw new IllegalArgumentException("invalid " + NAME + " public key: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new UnsupportedOperationException(UNAVAILABLE, e);
        }
        byte[] ss = secretBytes(enc.key());
        return new KemEncapsulation(enc.encapsulation(), ss);
    }

    @Override
    public byte[] decapsulate(KemPrivateKey privateKey, byte[] buf, int off) {
        if (privateKey == null) throw new IllegalArgumentException(NAME + " private key is null");
        if (!(privateKey instanceof JdkPrivateKey key)) {
            throw new IllegalArgumentException("not an " + NAME + " private key: " + privateKey.algorithm());
        }
        Kem.checkRange(NAME + " ciphertext", buf, off, CIPHERTEXT_SIZE);
        byte[] ct = (off == 0 && buf.length == CIPHERTEXT_SIZE)
                ? buf : Arrays.copyOfRange(buf, off, off + CIPHERTEXT_SIZE);
        try {
            KEM.Decapsulator d = kem().newDecapsulator(key.key());
            return secretBytes(d.decapsulate(ct));
        } catch (InvalidKeyException e) {
            throw new IllegalArgumentException("invalid " + NAME + " private key", e);
        } catch (DecapsulateException e) {
            // ML-KEM uses implicit rejection; the JDK only throws for a malformed length
            throw new IllegalArgumentException(NAME + " decapsulation failed: " + e.getMessage(), e);
        }
    }

    private static byte[] secretBytes(SecretKey key) {
        byte[] ss = key.getEncoded();
        if (ss == null || ss.length != SHARED_SECRET_SIZE) {
            throw new IllegalStateException("unexpected ML-KEM shared secret encoding");
        }
        try {
            key.destroy();
        } catch (DestroyFailedException ignored) {
            // SecretKeySpec cannot be destroyed; the copy we return is the caller's to wipe
        }
        return ss;
    }

    private static KeyPairGenerator keyPairGenerator() {
        try {
            return KeyPairGenerator.getInstance(NAME);
        } catch (NoSuchAlgorithmException e) {
            throw new UnsupportedOperationException(UNAVAILABLE, e);
        }
    }

    private static KEM kem() {
        try {
            return KEM.getInstance("ML-KEM");
        } catch (NoSuchAlgorithmException e) {
            throw new UnsupportedOperationException(UNAVAILABLE, e);
        }
    }

    /** Holder of the JDK's PKCS#8 private key object. */
    private static final class JdkPrivateKey implements KemPrivateKey {
        private volatile PrivateKey key;

        JdkPrivateKey(PrivateKey key) {
            this.key = key;
        }

        PrivateKey key() {
            PrivateKey k = key;
            if (k == null) throw new IllegalStateException(NAME + " private key has been destroyed");
            return k;
        }

        @Override public String algorithm() { return NAME; }

        @Override
        public void destroy() {
            PrivateKey k = key;
            key = null;
            if (k != null) {
                try {
                    k.destroy(); // the JDK's ML-KEM keys wipe their encoding
                } catch (DestroyFailedException ignored) {
                    // nothing more we can do; the reference is dropped
                }
            }
        }

        @Override public boolean isDestroyed() { return key == null; }

        @Override
        public String toString() {
            return NAME + " private key" + (key == null ? " (destroyed)" : "");
        }
    }

    /** A {@link SecureRandom} whose every byte comes from a {@link RandomSource}. */
    private static final class RandomSourceAdapter extends SecureRandom {
        private static final long serialVersionUID = 1L;

        RandomSourceAdapter(RandomSource rng) {
            super(new Spi(rng), null);
        }

        @Override
        public String getAlgorithm() {
            return "RandomSource";
        }

        private static final class Spi extends SecureRandomSpi {
            private static final long serialVersionUID = 1L;
            private final transient RandomSource rng;

            Spi(RandomSource rng) {
                this.rng = rng;
            }

            @Override
            protected void engineSetSeed(byte[] seed) {
                // the RandomSource seeds itself; extra seed material is not mixed in
            }

            @Override
            protected void engineNextBytes(byte[] bytes) {
                rng.nextBytes(bytes, 0, bytes.length);
            }

            @Override
            protected byte[] engineGenerateSeed(int numBytes) {
                return rng.bytes(numBytes);
            }
        }
    }
}
