package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.testing.Vectors;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** PKCS#8 and SubjectPublicKeyInfo conversions through the JDK KeyFactory. */
class P384KeyEncodingTest {

    static KeyPair jdkPair(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    static byte[] compressed(ECPublicKey k) {
        byte[] out = new byte[49];
        out[0] = (byte) (k.getW().getAffineY().testBit(0) ? 3 : 2);
        System.arraycopy(P384Params.toFixed48(k.getW().getAffineX()), 0, out, 1, 48);
        return out;
    }

    @Test
    void pkcs8RoundTrip() throws Exception {
        RandomSource rs = RandomSource.secure();
        for (int i = 0; i < 5; i++) {
            P384KeyPair kp = P384KeyPair.generate(rs);
            byte[] der = kp.toPkcs8();
            P384KeyPair back = P384KeyPair.fromPkcs8(der);
            assertEquals(kp.publicKey(), back.publicKey());
            P384PublicKey peer = P384KeyPair.generate(rs).publicKey();
            assertArrayEquals(kp.agree(peer), back.agree(peer));
            // the JDK reads it as a secp384r1 key with the same scalar → same public key via SunEC ECDH check
            ECPrivateKey jdk = (ECPrivateKey) KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
            assertEquals(384, jdk.getParams().getCurve().getField().getFieldSize());
        }
    }

    @Test
    void pkcs8FromJdkGeneratedKeyMatchesJdkPublicKey() throws Exception {
        for (int i = 0; i < 3; i++) {
            KeyPair jdk = jdkPair("secp384r1");
            P384KeyPair kp = P384KeyPair.fromPkcs8(jdk.getPrivate().getEncoded());
            assertArrayEquals(compressed((ECPublicKey) jdk.getPublic()), kp.publicKey().encoded());
            // and the SPKI of the same JDK key
            P384PublicKey pub = P384PublicKey.fromSubjectPublicKeyInfo(jdk.getPublic().getEncoded());
            assertEquals(kp.publicKey(), pub);
        }
    }

    @Test
    void pkcs8FromRecordedStaticKey() {
        var k = Vectors.sessions().get("static_keys").get(0);
        P384KeyPair kp = P384KeyPair.fromScalar(Vectors.hex(k.get("private_scalar")));
        P384KeyPair back = P384KeyPair.fromPkcs8(kp.toPkcs8());
        assertArrayEquals(Vectors.hex(k.get("public_compressed")), back.publicKey().encoded());
    }

    @Test
    void pemDecoding() throws Exception {
        KeyPair jdk = jdkPair("secp384r1");
        String privPem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(jdk.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        String pubPem = "-----BEGIN PUBLIC KEY-----\r\n"
                + Base64.getMimeEncoder(64, "\r\n".getBytes()).encodeToString(jdk.getPublic().getEncoded())
                + "\r\n-----END PUBLIC KEY-----\r\n";
        P384KeyPair kp = P384KeyPair.fromPem(privPem);
        P384PublicKey pub = P384PublicKey.fromPem(pubPem);
        assertEquals(kp.publicKey(), pub);
        assertEquals(kp.publicKey(), P384KeyPair.fromPem(kp.toPkcs8Pem()).publicKey());
        assertEquals(pub, P384PublicKey.fromPem(pub.toPem()));
        assertTrue(kp.toPkcs8Pem().startsWith("-----BEGIN PRIVATE KEY-----"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromPem(pubPem));
        assertTrue(e.getMessage().contains("PRIVATE KEY"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> P384PublicKey.fromPem(privPem));
        assertThrows(IllegalArgumentException.class, () -> P384PublicKey.fromPem("no pem here"));
        assertThrows(IllegalArgumentException.class,
                () -> P384PublicKey.fromPem("-----BEGIN PUBLIC KEY-----\n!!!notbase64\n-----END PUBLIC KEY-----\n"));
    }

    @Test
    void spkiRoundTrip() throws Exception {
        RandomSource rs = RandomSource.secure();
        for (int i = 0; i < 5; i++) {
            P384PublicKey pub = P384KeyPair.generate(rs).publicKey();
            byte[] der = pub.toSubjectPublicKeyInfo();
            assertEquals(pub, P384PublicKey.fromSubjectPublicKeyInfo(der));
            ECPublicKey jdk = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            assertArrayEquals(pub.encoded(), compressed(jdk));
        }
    }

    @Test
    void wrongCurveIsRejectedWithClearMessage() throws Exception {
        KeyPair p256 = jdkPair("secp256r1");
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class,
                () -> P384KeyPair.fromPkcs8(p256.getPrivate().getEncoded()));
        assertTrue(e1.getMessage().contains("P-384"), e1.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> P384PublicKey.fromSubjectPublicKeyInfo(p256.getPublic().getEncoded()));
        assertTrue(e2.getMessage().contains("P-384"), e2.getMessage());
        KeyPair p521 = jdkPair("secp521r1");
        assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromPkcs8(p521.getPrivate().getEncoded()));
    }

    @Test
    void nonEcAndMalformedAreRejected() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(1024);
        KeyPair r = rsa.generateKeyPair();
        IllegalArgumentException e1 = assertThrows(IllegalArgumentException.class,
                () -> P384KeyPair.fromPkcs8(r.getPrivate().getEncoded()));
        assertTrue(e1.getMessage().contains("EC"), e1.getMessage());
        assertThrows(IllegalArgumentException.class, () -> P384PublicKey.fromSubjectPublicKeyInfo(r.getPublic().getEncoded()));
        assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromPkcs8(new byte[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromPkcs8(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromPkcs8(null));
        assertThrows(IllegalArgumentException.class, () -> P384PublicKey.fromSubjectPublicKeyInfo(new byte[] {0x30, 0}));
        assertThrows(IllegalArgumentException.class, () -> P384PublicKey.fromSubjectPublicKeyInfo(null));
        byte[] good = jdkPair("secp384r1").getPrivate().getEncoded();
        assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromPkcs8(Arrays.copyOf(good, good.length - 5)));
    }

    @Test
    void offCurveSpkiIsRejected() throws Exception {
        byte[] der = jdkPair("secp384r1").getPublic().getEncoded();
        // the point is the last 97 bytes (04 || x || y): change y
        byte[] bad = der.clone();
        bad[bad.length - 1] ^= 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> P384PublicKey.fromSubjectPublicKeyInfo(bad));
        assertTrue(e.getMessage().toLowerCase().contains("curve") || e.getMessage().toLowerCase().contains("point"),
                e.getMessage());
    }

    @Test
    void pkcs8WithOutOfRangeScalarIsRejected() throws Exception {
        // a PKCS#8 with d = n (the JDK's KeyFactory accepts it; we must not)
        byte[] der = P384KeyPair.fromScalar(P384Params.toFixed48(BigInteger.ONE)).toPkcs8();
        // the 48-byte scalar in the JDK's encoding follows "04 30"; replace it with n
        int at = -1;
        for (int i = 0; i + 2 + 48 <= der.length; i++) {
            if (der[i] == 0x04 && der[i + 1] == 0x30) {
                at = i + 2;
                break;
            }
        }
        assertTrue(at > 0, "scalar found in the DER");
        System.arraycopy(P384Curve.N_BYTES, 0, der, at, 48);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> P384KeyPair.fromPkcs8(der));
        assertTrue(e.getMessage().contains("range"), e.getMessage());
    }
}
