package dev.planetary.identity;

import dev.planetary.identity.internal.AddressPow;
import dev.planetary.identity.internal.Ecdsa384;
import dev.planetary.zssp.StaticKeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node's identity with both private scalars (spec §2.2: secret identity 0x01 ‖ d_dh ‖ d_sig,
 * 97 bytes, never on the wire). Signs with K_sig (RFC 6979, constant time); gives the ZSSP static
 * key pair for K_dh. Call {@link #destroy()} when done; {@code toString} never shows a secret.
 */
public final class SecretIdentity implements AutoCloseable {
    public static final int SECRET_SIZE = 97;

    private final byte[] dDh;  // 48 bytes
    private final byte[] dSig; // 48 bytes
    private final Identity identity;
    private final Address address;
    private volatile boolean destroyed;

    private SecretIdentity(byte[] dDh, byte[] dSig, Identity identity, Address address) {
        this.dDh = dDh;
        this.dSig = dSig;
        this.identity = identity;
        this.address = address;
    }

    /** A fresh identity from the platform CSPRNG, searching on every available core. */
    public static SecretIdentity generate() {
        return generate(new SecureRandom(), Runtime.getRuntime().availableProcessors());
    }

    /**
     * Generation (spec §2.4): one K_dh, then fresh K_sig candidates on {@code threads} threads until
     * one passes the proof of work (64 evaluations expected), then the self-signature.
     */
    public static SecretIdentity generate(SecureRandom random, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        byte[] dDh = randomScalar(random);
        byte[] kDh = Ecdsa384.publicKey(dDh);
        AtomicReference<byte[]> found = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable search = () -> {
            try {
                byte[] pkb = new byte[Identity.PUBLIC_KEY_BYTES];
                pkb[0] = Identity.TYPE_P384;
                System.arraycopy(kDh, 0, pkb, 1, 49);
                while (found.get() == null && failure.get() == null) {
                    byte[] dSig = randomScalar(random);
                    byte[] kSig = Ecdsa384.publicKey(dSig);
                    System.arraycopy(kSig, 0, pkb, 50, 49);
                    byte[] w = AddressPow.evaluate(Ecdsa384.sha384(pkb));
                    if (AddressPow.accepted(w) && Address.isValid(AddressPow.address(w))) {
                        if (found.compareAndSet(null, dSig)) return;
                    }
                    Arrays.fill(dSig, (byte) 0);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread[] workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = Thread.ofPlatform().name("identity-search-" + i).daemon().start(search);
        }
        search.run();
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.compareAndSet(null, e);
            }
        }
        if (found.get() == null) {
            Arrays.fill(dDh, (byte) 0);
            throw new IllegalStateException("identity generation failed", failure.get());
        }
        SecretIdentity s = fromScalars(dDh, found.get()).orThrow();
        Arrays.fill(dDh, (byte) 0);
        Arrays.fill(found.get(), (byte) 0);
        return s;
    }

    private static byte[] randomScalar(SecureRandom random) {
        byte[] d = new byte[48];
        do {
            random.nextBytes(d);
        } while (!Ecdsa384.isValidScalar(d, 0));
        return d;
    }

    /**
     * The identity of two 48-byte scalars (copied): derives both keys, signs (RFC 6979) and checks
     * the proof of work. Invalid if a scalar is out of range or the PoW fails.
     */
    public static Decoded<SecretIdentity> fromScalars(byte[] dDh, byte[] dSig) {
        if (dDh == null || dSig == null || dDh.length != 48 || dSig.length != 48
                || !Ecdsa384.isValidScalar(dDh, 0) || !Ecdsa384.isValidScalar(dSig, 0)) {
            return Decoded.invalid(Rejection.SECRET_MISMATCH, "a private scalar is not in [1, n)");
        }
        byte[] kDh = Ecdsa384.publicKey(dDh);
        byte[] kSig = Ecdsa384.publicKey(dSig);
        byte[] sig = Ecdsa384.sign(dSig, Identity.selfSignatureMessage(kDh, 0, kSig, 0));
        Identity id = Identity.assemble(kDh, kSig, sig);
        return id.deriveAddress().map(a -> new SecretIdentity(dDh.clone(), dSig.clone(), id, a));
    }

    /** Decodes the 97-byte secret (0x01 ‖ d_dh ‖ d_sig): derives, signs and checks the PoW. */
    public static Decoded<SecretIdentity> decodeSecret(byte[] secret) {
        if (secret == null || secret.length != SECRET_SIZE) return Decoded.invalid(Rejection.LENGTH, "a secret identity is 97 bytes");
        if (secret[0] != Identity.TYPE_P384) return Decoded.invalid(Rejection.TYPE, "secret identity type is not 1");
        byte[] a = Arrays.copyOfRange(secret, 1, 49), b = Arrays.copyOfRange(secret, 49, 97);
        try {
            return fromScalars(a, b);
        } finally {
            Arrays.fill(a, (byte) 0);
            Arrays.fill(b, (byte) 0);
        }
    }

    /** 0x01 ‖ d_dh ‖ d_sig (97 bytes, secret: the caller wipes it). */
    public byte[] encodeSecret() {
        checkLive();
        byte[] out = new byte[SECRET_SIZE];
        out[0] = Identity.TYPE_P384;
        System.arraycopy(dDh, 0, out, 1, 48);
        System.arraycopy(dSig, 0, out, 49, 48);
        return out;
    }

    public Identity identity() {
        return identity;
    }

    public Address address() {
        return address;
    }

    public Fingerprint fingerprint() {
        return identity.fingerprint();
    }

    /** ECDSA P-384/SHA-384 by K_sig, RFC 6979 nonce, P1363 r ‖ s (96 bytes). */
    public byte[] sign(byte[] message) {
        checkLive();
        return Ecdsa384.sign(dSig, message);
    }

    /** A new ZSSP static key pair for K_dh (the caller owns and destroys it). */
    public StaticKeyPair staticKeyPair() {
        checkLive();
        return StaticKeyPair.fromScalar(dDh);
    }

    private void checkLive() {
        if (destroyed) throw new IllegalStateException("secret identity has been destroyed");
    }

    /** Wipes both scalars. */
    public void destroy() {
        destroyed = true;
        Arrays.fill(dDh, (byte) 0);
        Arrays.fill(dSig, (byte) 0);
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "SecretIdentity[" + address + ", " + identity.fingerprint().toShortString() + ", secrets hidden]";
    }
}
