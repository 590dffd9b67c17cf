package dev.planetary.vl2;

import static dev.planetary.vl2.Hostile.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Identity;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.Rejection;
import dev.planetary.identity.SecretIdentity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Forged and altered signed objects fail verification; the issuer is checked before the signature (§2.8). */
class SignatureTest {
    static SecretIdentity other;
    static Signed<MemberCredential> mc;
    static Signed<RevocationList> list;
    static Signed<NetworkConfig> cfg;

    @BeforeAll
    static void keys() {
        other = Fixtures.other();
        mc = Fixtures.credential().sign(Fixtures.controller(), Fixtures.TS);
        list = Fixtures.revocationList().sign(Fixtures.controller(), Fixtures.TS);
        cfg = Fixtures.config(mc, list).sign(Fixtures.controller(), Fixtures.TS);
    }

    static Identity controller() {
        return Fixtures.controller().identity();
    }

    @Test
    void genuineObjectsVerify() {
        PsoVerifier v = new PsoVerifier();
        assertEquals(mc, MemberCredential.verify(v, mc.encoded(), controller()).orThrow());
        assertEquals(list, RevocationList.verify(v, list.encoded(), controller()).orThrow());
        assertEquals(cfg, NetworkConfig.verify(v, cfg.encoded(), controller()).orThrow());
        assertTrue(mc.signatureValid(controller()));
        assertFalse(mc.signatureValid(other.identity()));
    }

    @Test
    void everyAlteredByteFailsVerification() {
        byte[] good = mc.encoded();
        for (int i = 0; i < good.length; i++) {
            byte[] b = good.clone();
            b[i] ^= 0x01;
            // a fresh verifier each time: nothing is served from the digest cache
            assertFalse(MemberCredential.verify(new PsoVerifier(), b, controller()).isOk(), "byte " + i + " altered");
        }
        byte[] sig = list.encoded();
        sig[sig.length - 1] ^= 0x40;
        assertInvalid(RevocationList.verify(new PsoVerifier(), sig, controller()), Rejection.SIGNATURE, "altered signature");
        byte[] body = cfg.encoded();
        body[Pso_HEADER + 20] ^= 0x01; // inside the issued-to fingerprint: still well-formed, so only the signature catches it
        assertInvalid(NetworkConfig.verify(new PsoVerifier(), body, controller()), Rejection.SEMANTIC, "config whose MC no longer matches");
    }

    static final int Pso_HEADER = dev.planetary.identity.Pso.HEADER;

    @Test
    void forgeriesFail() {
        // signed by another key, claiming to be the controller's
        Signed<MemberCredential> byOther = Fixtures.credential().sign(other, Fixtures.TS);
        byte[] forged = byOther.encoded();
        Fixtures.controller().fingerprint().write(forged, 6);
        assertInvalid(MemberCredential.verify(new PsoVerifier(), forged, controller()), Rejection.SIGNATURE, "signed by another key");
        // honestly issued by another identity
        assertInvalid(MemberCredential.verify(new PsoVerifier(), byOther.encoded(), controller()), Rejection.ISSUER, "another issuer");
        // a config whose embedded MC is from another issuer: the config verifies, its MC does not
        Signed<NetworkConfig> mixed = Fixtures.config(byOther, list).sign(Fixtures.controller(), Fixtures.TS);
        assertInvalid(NetworkConfig.verify(new PsoVerifier(), mixed.encoded(), controller()), Rejection.ISSUER, "embedded MC of another issuer");
        // an MC re-typed as a revocation list (type is signed: domain separation)
        byte[] retyped = mc.encoded();
        retyped[4] = RevocationList.TYPE;
        assertFalse(RevocationList.verify(new PsoVerifier(), retyped, controller()).isOk());
    }

    @Test
    void aBodyChangeKeepingTheFormatFailsOnlyAtTheSignature() {
        byte[] b = mc.encoded();
        // the last byte of the body is the capability grant's low byte (3 → 4): still ascending, still valid
        b[b.length - 97] = 4;
        assertTrue(MemberCredential.parse(b).isOk());
        assertInvalid(MemberCredential.verify(new PsoVerifier(), b, controller()), Rejection.SIGNATURE, "altered grant");
    }
}
