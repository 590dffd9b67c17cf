package dev.planetary.bench;

import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.crypto.P384KeyPair;
import dev.planetary.zssp.crypto.P384PublicKey;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * P-384 candidates for ZSSP: one ECDH (peer key arriving as 49 wire bytes, as in the engine) and
 * one key generation, for the JDK's SunEC, BouncyCastle and Planetary's own {@code P384KeyPair}.
 *
 * <p>Every ECDH variant starts from the compressed wire encoding of the peer key, because that is
 * what the engine has; the {@code ...Prepared} SunEC variant shows the cost of the agreement alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class P384Bench {
    private static final BigInteger P = new BigInteger(
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff", 16);
    private static final BigInteger B = new BigInteger(
            "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef", 16);

    private final SecureRandom random = new SecureRandom();
    private final RandomSource rs = RandomSource.of(random);

    // wire form of the peer's public key
    private byte[] peerWire;

    // SunEC
    private ECParameterSpec jdkParams;
    private KeyFactory jdkKf;
    private ECPrivateKey jdkPriv;
    private ECPublicKey jdkPeer;
    private ECPublicKey jdkGenerator;
    private KeyAgreement jdkKa;
    private KeyPairGenerator jdkKpg;

    // BouncyCastle
    private X9ECParameters bc;
    private BigInteger bcPriv;

    // Planetary
    private P384KeyPair mine;
    private byte[] mineScalar;
    private final byte[] digest = new byte[48]; // a SHA-384 digest to sign

    @Setup
    public void setup() throws Exception {
        AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
        ap.init(new ECGenParameterSpec("secp384r1"));
        jdkParams = ap.getParameterSpec(ECParameterSpec.class);
        jdkKf = KeyFactory.getInstance("EC");
        jdkKpg = KeyPairGenerator.getInstance("EC");
        jdkKpg.initialize(new ECGenParameterSpec("secp384r1"), random);
        jdkKa = KeyAgreement.getInstance("ECDH");

        BigInteger n = jdkParams.getOrder();
        BigInteger d;
        do {
            d = new BigInteger(384, random);
        } while (d.signum() == 0 || d.compareTo(n) >= 0);
        byte[] scalar = new byte[48];
        byte[] mag = d.toByteArray();
        int len = Math.min(mag.length, 48);
        System.arraycopy(mag, mag.length - len, scalar, 48 - len, len);
        mine = P384KeyPair.fromScalar(scalar);
        mineScalar = scalar;
        random.nextBytes(digest);
        P384KeyPair peer = P384KeyPair.generate(rs);
        peerWire = peer.publicKey().encoded();
        jdkPriv = (ECPrivateKey) jdkKf.generatePrivate(new ECPrivateKeySpec(d, jdkParams));
        jdkPeer = jdkPublic(peerWire);
        jdkGenerator = (ECPublicKey) jdkKf.generatePublic(new ECPublicKeySpec(jdkParams.getGenerator(), jdkParams));

        bc = CustomNamedCurves.getByName("secp384r1");
        bcPriv = d;
    }

    /** Compressed wire bytes to a SunEC public key (BigInteger square root; public data only). */
    private ECPublicKey jdkPublic(byte[] wire) throws Exception {
        BigInteger x = new BigInteger(1, wire, 1, 48);
        BigInteger rhs = x.pow(3).subtract(x.multiply(BigInteger.valueOf(3))).add(B).mod(P);
        BigInteger y = rhs.modPow(P.add(BigInteger.ONE).shiftRight(2), P);
        if (y.testBit(0) != (wire[0] == 3)) y = P.subtract(y);
        return (ECPublicKey) jdkKf.generatePublic(new ECPublicKeySpec(new ECPoint(x, y), jdkParams));
    }

    // ---------------------------------------------------------------- SunEC

    /** SunEC: decode + KeyFactory + a fresh KeyAgreement per call (includes SunEC's n·Q check). */
    @Benchmark
    public byte[] sunecEcdh() throws Exception {
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(jdkPriv);
        ka.doPhase(jdkPublic(peerWire), true);
        return ka.generateSecret();
    }

    /** SunEC: decode + KeyFactory, KeyAgreement object reused (as a ThreadLocal would). */
    @Benchmark
    public byte[] sunecEcdhCachedAgreement() throws Exception {
        jdkKa.init(jdkPriv);
        jdkKa.doPhase(jdkPublic(peerWire), true);
        return jdkKa.generateSecret();
    }

    /** SunEC: the agreement alone on prepared key objects (lower bound for any SunEC path). */
    @Benchmark
    public byte[] sunecEcdhPrepared() throws Exception {
        jdkKa.init(jdkPriv);
        jdkKa.doPhase(jdkPeer, true);
        return jdkKa.generateSecret();
    }

    /**
     * SunEC has no API for d·G from a given scalar; the nearest is ECDH with G as the peer, which
     * gives only x(d·G). The y parity needs a second one (x((d+1)·G)), so a ZSSP keygen from a
     * RandomSource draw costs twice this.
     */
    @Benchmark
    public byte[] sunecXOfScalarTimesG() throws Exception {
        jdkKa.init(jdkPriv);
        jdkKa.doPhase(jdkGenerator, true);
        return jdkKa.generateSecret();
    }

    /** SunEC KeyPairGenerator (its own scalar derivation; cannot take ZSSP's RandomSource draw). */
    @Benchmark
    public KeyPair sunecKeygen() {
        return jdkKpg.generateKeyPair();
    }

    // ---------------------------------------------------------------- BouncyCastle

    /** BC default multiplier (WNafL2RMultiplier: variable time), decode included. */
    @Benchmark
    public BigInteger bcEcdhWnaf() {
        ECCurve c = bc.getCurve();
        return c.decodePoint(peerWire).multiply(bcPriv).normalize().getAffineXCoord().toBigInteger();
    }

    /**
     * BC's only multiplier with cache-safe table lookups in 1.76: FixedPointCombMultiplier, here
     * used on the (freshly decoded, so not yet precomputed) peer point.
     */
    @Benchmark
    public BigInteger bcEcdhComb() {
        ECCurve c = bc.getCurve();
        return new FixedPointCombMultiplier().multiply(c.decodePoint(peerWire), bcPriv)
                .normalize().getAffineXCoord().toBigInteger();
    }

    /** BC key generation as its ECKeyPairGenerator does it (comb on G, table cached). */
    @Benchmark
    public byte[] bcKeygen() {
        BigInteger d = new BigInteger(384, random);
        return new FixedPointCombMultiplier().multiply(bc.getG(), d).getEncoded(true);
    }

    // ---------------------------------------------------------------- Planetary

    /** Planetary: decode + validate the wire key, then ECDH (constant time). */
    @Benchmark
    public byte[] planetaryEcdh() {
        return mine.agree(P384PublicKey.decode(peerWire, 0));
    }

    /** Planetary: key generation from RandomSource (constant-time fixed-base multiply). */
    @Benchmark
    public P384PublicKey planetaryKeygen() {
        return P384KeyPair.generate(rs).publicKey();
    }

    /** Planetary: decoding and validating one 49-byte public key (square root). */
    @Benchmark
    public P384PublicKey planetaryDecode() {
        return P384PublicKey.decode(peerWire, 0);
    }

    /** Planetary: one ECDSA P-384 signature of a digest (RFC 6979 nonce, constant-time k·G and k⁻¹). */
    @Benchmark
    public byte[] planetarySign() {
        return dev.planetary.identity.internal.Ecdsa384.signDigest(mineScalar, digest);
    }
}
