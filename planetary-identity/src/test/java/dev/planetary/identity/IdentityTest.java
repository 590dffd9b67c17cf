package dev.planetary.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.internal.Ecdsa384;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Identity encoding, verification, text and files (spec §2.2–§2.4, §2.9, §2.10). */
class IdentityTest {

    static Rejection reason(Decoded<?> d) {
        return assertInstanceOf(Decoded.Invalid.class, d, "expected a rejection").reason();
    }

    @Test
    void generatedIdentityIsValidAndRoundTrips() {
        SecretIdentity s = Fixtures.generated();
        Identity id = s.identity();
        assertEquals(s.address(), new IdentityVerifier().verify(id).orThrow());
        Identity back = Identity.decode(id.encoded()).orThrow();
        assertEquals(id, back);
        assertArrayEquals(id.encoded(), back.encoded());
        // text round trips, public and secret
        String pub = IdentityText.publicText(id, s.address());
        assertEquals(325, pub.length());
        assertEquals(id, IdentityText.parsePublic(pub).orThrow().identity());
        String sec = IdentityText.secretText(s);
        SecretIdentity s2 = IdentityText.parseSecret(sec).orThrow();
        assertArrayEquals(id.encoded(), s2.identity().encoded());
        assertArrayEquals(s.encodeSecret(), s2.encodeSecret());
        // K_dh is the ZSSP static key
        try (var kp = s.staticKeyPair()) {
            assertEquals(id.staticPublicKey(), kp.publicKey());
        }
        // signatures by K_sig verify under the identity
        byte[] m = "hello".getBytes();
        assertTrue(id.verifySignature(m, 0, m.length, s.sign(m), 0));
    }

    @Test
    void everyTruncationAndExtensionIsRejected() {
        byte[] e = Fixtures.b1().identity().encoded();
        for (int len = 0; len < e.length; len++) assertEquals(Rejection.LENGTH, reason(Identity.decode(Arrays.copyOf(e, len))));
        assertEquals(Rejection.LENGTH, reason(Identity.decode(Arrays.copyOf(e, e.length + 1))));
        assertEquals(Rejection.LENGTH, reason(Identity.decode(null)));
    }

    @Test
    void everyBitFlipIsRejected() {
        byte[] e = Fixtures.b1().identity().encoded();
        IdentityVerifier v = new IdentityVerifier();
        Set<Rejection> allowed = EnumSet.of(Rejection.TYPE, Rejection.BAD_POINT, Rejection.SELF_SIGNATURE);
        for (int bit = 0; bit < e.length * 8; bit++) {
            byte[] f = e.clone();
            f[bit >>> 3] ^= (byte) (1 << (bit & 7));
            Decoded<Address> r = Identity.decode(f).flatMap(v::verify);
            assertTrue(allowed.contains(reason(r)), "bit " + bit + ": " + r);
        }
    }

    @Test
    void forgedSelfSignatureIsRejected() {
        Identity real = Fixtures.b1().identity();
        // someone else's K_dh with the real K_sig, and the real self-signature: the binding fails
        Identity other = Fixtures.structural(new Random(1));
        byte[] forged = real.encoded();
        System.arraycopy(other.dhKey(), 0, forged, 1, 49);
        Identity f = Identity.decode(forged).orThrow();
        assertFalse(f.selfSignatureValid());
        assertEquals(Rejection.SELF_SIGNATURE, reason(new IdentityVerifier().verify(f)));
        // a self-signature by a different key over the right message
        byte[] d = new byte[48];
        d[47] = 7;
        byte[] sig = Ecdsa384.sign(d, Identity.selfSignatureMessage(real.dhKey(), 0, real.signingKey(), 0));
        byte[] g = real.encoded();
        System.arraycopy(sig, 0, g, 99, 96);
        assertEquals(Rejection.SELF_SIGNATURE, reason(new IdentityVerifier().verify(Identity.decode(g).orThrow())));
    }

    @Test
    void wrongProofOfWorkIsRejected() throws Exception {
        // Appendix B.1 counter 0: a correct self-signature, but w[0] = 0xc5
        var v = VectorFiles.identityVectors();
        byte[] dDh = HexFormat.of().parseHex(v.get("d_dh").asText());
        byte[] dSig = HexFormat.of().parseHex(v.get("candidates").get(0).get("d_sig").asText());
        assertEquals(Rejection.PROOF_OF_WORK, reason(SecretIdentity.fromScalars(dDh, dSig)));
        byte[] kDh = Ecdsa384.publicKey(dDh), kSig = Ecdsa384.publicKey(dSig);
        Identity id = Identity.assemble(kDh, kSig, Ecdsa384.sign(dSig, Identity.selfSignatureMessage(kDh, 0, kSig, 0)));
        assertTrue(id.selfSignatureValid());
        IdentityVerifier ver = new IdentityVerifier();
        assertEquals(Rejection.PROOF_OF_WORK, reason(ver.verify(id)));
        assertEquals(Rejection.PROOF_OF_WORK, reason(ver.verify(id))); // cached negative, same answer
        // and its text form with the would-be address is refused
        String text = "c4668d4b11:1:" + Base32.encode(id.encoded());
        assertEquals(Rejection.PROOF_OF_WORK, reason(IdentityText.parsePublic(text)));
    }

    @Test
    void wrongAddressInTextIsRejected() throws Exception {
        String text = VectorFiles.identityVectors().get("candidates").get(1).get("public_text").asText();
        String wrong = "f3da19d0f5" + text.substring(10);
        assertEquals(Rejection.ADDRESS_MISMATCH, reason(IdentityText.parsePublic(wrong)));
        assertEquals(Rejection.SYNTAX, reason(IdentityText.parsePublic("F3DA19D0F4" + text.substring(10))));
        assertEquals(Rejection.SYNTAX, reason(IdentityText.parsePublic(text.substring(0, 11) + "2" + text.substring(12))));
        assertEquals(Rejection.SYNTAX, reason(IdentityText.parsePublic(text.substring(0, 324) + "=")));
        assertEquals(Rejection.LENGTH, reason(IdentityText.parsePublic(text.substring(1))));
        assertEquals(Rejection.LENGTH, reason(IdentityText.parsePublic("x".repeat(100_000))));
        // the secret text of B.1 with a different stated address
        String sec = IdentityText.secretText(Fixtures.b1());
        assertEquals(Rejection.ADDRESS_MISMATCH, reason(IdentityText.parseSecret("f3da19d0f5" + sec.substring(10))));
        // a secret that belongs to another identity
        String other = IdentityText.secretText(Fixtures.generated());
        assertEquals(Rejection.SECRET_MISMATCH, reason(IdentityText.parseSecret(sec.substring(0, 326) + other.substring(326))));
    }

    @Test
    void everyTruncationOfTheTextIsRejected() throws Exception {
        String text = VectorFiles.identityVectors().get("candidates").get(1).get("public_text").asText();
        for (int len = 0; len < text.length(); len++) assertFalse(IdentityText.parsePublic(text.substring(0, len)).isOk());
    }

    @Test
    void verificationCacheIsBoundedAndNotPoisonedByBadSignatures() {
        IdentityVerifier v = new IdentityVerifier(2);
        Identity b1 = Fixtures.b1().identity();
        byte[] bad = b1.encoded();
        bad[150] ^= 1; // same fingerprint, broken self-signature
        assertEquals(Rejection.SELF_SIGNATURE, reason(v.verify(Identity.decode(bad).orThrow())));
        assertTrue(v.verify(b1).isOk(), "an invalid signature beside the real identity must not poison the cache");
        v.verify(Fixtures.generated().identity());
        v.selfSignatureValid(Fixtures.structural(new Random(3)));
        v.selfSignatureValid(Fixtures.structural(new Random(4)));
        assertTrue(v.size() <= 2);
        assertThrows(IllegalArgumentException.class, () -> new IdentityVerifier(0));
    }

    @Test
    void fingerprintTextAndOrdering() {
        Fingerprint f = Fixtures.b1().fingerprint();
        assertEquals(f, Fingerprint.parse(f.toBase32()).orElseThrow());
        assertEquals("6ewipys4vmkvpniv", f.toShortString());
        assertTrue(Fingerprint.parse(f.toBase32().toUpperCase()).isEmpty());
        assertNotEquals(0, f.compareTo(Fixtures.generated().fingerprint()));
        assertEquals("f3da19d0f4", Address.parse("f3da19d0f4").orElseThrow().toString());
        assertTrue(Address.parse("ff00000001").isEmpty());
        assertTrue(Address.parse("0000000000").isEmpty());
    }

    @Test
    void filesHaveTheRightModesAndReadBack(@TempDir Path tmp) throws Exception {
        Path home = tmp.resolve("home");
        SecretIdentity s = Fixtures.b1();
        IdentityFiles.write(home, s, false);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("identity.secret"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("identity.public"))));
        assertTrue(Files.readString(home.resolve("identity.public")).endsWith("\n"));
        assertEquals(s.fingerprint(), IdentityFiles.readSecret(home).orThrow().fingerprint());
        assertEquals(s.address(), IdentityFiles.readPublic(home).orThrow().address());
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> IdentityFiles.write(home, Fixtures.generated(), false));
        Files.writeString(home.resolve("identity.secret"), "garbage\n");
        assertEquals(Rejection.LENGTH, reason(IdentityFiles.readSecret(home)));
    }
}
