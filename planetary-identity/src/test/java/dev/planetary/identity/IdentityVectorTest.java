package dev.planetary.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.identity.internal.AddressPow;
import dev.planetary.identity.internal.Ecdsa384;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Spec Appendix B.1 reproduced bit for bit: keys, fingerprints, Argon2id, acceptance, address, RFC 6979 self-signature, text. */
class IdentityVectorTest {
    static final HexFormat HEX = HexFormat.of();
    static final BigInteger N = new BigInteger(1, HEX.parseHex(
            "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"));

    /** d = int(SHA-384(label)) mod (n − 1) + 1 (test-vector derivation, public data). */
    static byte[] scalar(byte[] label) {
        BigInteger d = new BigInteger(1, Ecdsa384.sha384(label)).mod(N.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        byte[] m = d.toByteArray();
        byte[] out = new byte[48];
        int len = Math.min(48, m.length);
        System.arraycopy(m, m.length - len, out, 48 - len, len);
        return out;
    }

    static byte[] dDh(JsonNode v) {
        return scalar(v.get("ecdh_label_ascii").asText().getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] dSig(JsonNode c) {
        return scalar(HEX.parseHex(c.get("ecdsa_label_hex").asText()));
    }

    @Test
    void everyCandidateReproduces() throws Exception {
        JsonNode v = VectorFiles.identityVectors();
        byte[] dDh = dDh(v);
        assertEquals(v.get("d_dh").asText(), HEX.formatHex(dDh));
        byte[] kDh = Ecdsa384.publicKey(dDh);
        assertEquals(v.get("K_dh").asText(), HEX.formatHex(kDh));
        int accepted = 0;
        for (JsonNode c : v.get("candidates")) {
            byte[] dSig = dSig(c);
            assertEquals(c.get("d_sig").asText(), HEX.formatHex(dSig));
            byte[] kSig = Ecdsa384.publicKey(dSig);
            assertEquals(c.get("K_sig").asText(), HEX.formatHex(kSig));
            byte[] pkb = new byte[99];
            pkb[0] = 1;
            System.arraycopy(kDh, 0, pkb, 1, 49);
            System.arraycopy(kSig, 0, pkb, 50, 49);
            assertEquals(c.get("public_key_bytes_99").asText(), HEX.formatHex(pkb));
            Fingerprint fp = Fingerprint.of(Ecdsa384.sha384(pkb));
            assertEquals(c.get("fingerprint").asText(), fp.toHex());
            assertEquals(c.get("fingerprint_base32").asText(), fp.toBase32());
            assertEquals(Fingerprint.TEXT_LENGTH, fp.toBase32().length());
            byte[] w = AddressPow.evaluate(fp.toBytes());
            assertEquals(c.get("argon2id_output").asText(), HEX.formatHex(w));
            assertEquals(c.get("w0").asInt(), w[0] & 0xFF);
            assertEquals(c.get("accepted").asBoolean(), AddressPow.accepted(w));
            assertEquals(c.get("derived_address").asText(), String.format("%010x", AddressPow.address(w)));

            Decoded<SecretIdentity> s = SecretIdentity.fromScalars(dDh, dSig);
            if (!c.get("accepted").asBoolean()) {
                assertEquals(Rejection.PROOF_OF_WORK, assertInstanceOf(Decoded.Invalid.class, s).reason());
                continue;
            }
            accepted++;
            SecretIdentity si = s.orThrow();
            byte[] msg = Identity.selfSignatureMessage(kDh, 0, kSig, 0);
            assertEquals(c.get("selfsig_message").asText(), HEX.formatHex(msg));
            assertEquals(c.get("selfsig_message_sha384").asText(), HEX.formatHex(Ecdsa384.sha384(msg)));
            assertEquals(c.get("selfsig_p1363").asText(), HEX.formatHex(si.identity().selfSignature()));
            assertEquals(c.get("identity_195").asText(), HEX.formatHex(si.identity().encoded()));
            assertEquals(c.get("derived_address").asText(), si.address().toString());
            assertEquals(c.get("public_text").asText(), IdentityText.publicText(si.identity(), si.address()));
            assertEquals(312, c.get("public_text").asText().length() - 13);

            // the published bytes decode and verify, and the text parses to the same identity
            Identity id = Identity.decode(HEX.parseHex(c.get("identity_195").asText())).orThrow();
            assertTrue(id.selfSignatureValid());
            assertEquals(si.address(), new IdentityVerifier().verify(id).orThrow());
            IdentityText.Parsed p = IdentityText.parsePublic(c.get("public_text").asText()).orThrow();
            assertEquals(fp, p.identity().fingerprint());
            assertEquals(si.address(), p.address());
        }
        assertEquals(1, accepted);
        assertEquals(41, v.get("first_accepted_counter").asInt());
    }

    @Test
    void malleatedSelfSignatureStillVerifiesAndKeepsTheFingerprint() throws Exception {
        JsonNode c = VectorFiles.identityVectors().get("candidates").get(1);
        byte[] bytes = HEX.parseHex(c.get("identity_195").asText());
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(bytes, 147, 195));
        byte[] ns = N.subtract(s).toByteArray();
        byte[] mal = bytes.clone();
        java.util.Arrays.fill(mal, 147, 195, (byte) 0);
        int len = Math.min(48, ns.length);
        System.arraycopy(ns, ns.length - len, mal, 195 - len, len);
        assertFalse(java.util.Arrays.equals(bytes, mal));
        Identity m = Identity.decode(mal).orThrow();
        assertTrue(m.selfSignatureValid(), "(r, n - s) verifies: no low-s rule");
        assertEquals(Identity.decode(bytes).orThrow().fingerprint(), m.fingerprint());
    }
}
