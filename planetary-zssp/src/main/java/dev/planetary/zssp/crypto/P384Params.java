package dev.planetary.zssp.crypto;

import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.EllipticCurve;

/** JDK-side P-384 parameters, used only for PKCS#8 / SubjectPublicKeyInfo conversion. */
final class P384Params {
    static final BigInteger P = new BigInteger(1, P384Curve.bytes(
            "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff"));
    static final BigInteger N = new BigInteger(1, P384Curve.N_BYTES);

    private static volatile ECParameterSpec spec;

    private P384Params() {}

    /** The secp384r1 parameters as the JDK names them. */
    static ECParameterSpec spec() {
        ECParameterSpec s = spec;
        if (s == null) {
            try {
                AlgorithmParameters ap = AlgorithmParameters.getInstance("EC");
                ap.init(new ECGenParameterSpec("secp384r1"));
                s = ap.getParameterSpec(ECParameterSpec.class);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK does not provide secp384r1", e);
            }
            spec = s;
        }
        return s;
    }

    /** Throws IllegalArgumentException naming {@code what} unless {@code params} is P-384. */
    static void requireP384(ECParameterSpec params, String what) {
        if (params == null) throw new IllegalArgumentException(what + " has no EC domain parameters");
        ECParameterSpec ref = spec();
        EllipticCurve c = params.getCurve();
        boolean same = c.getField() instanceof ECFieldFp fp
                && fp.getP().equals(P)
                && c.getA().equals(ref.getCurve().getA())
                && c.getB().equals(ref.getCurve().getB())
                && params.getGenerator().equals(ref.getGenerator())
                && params.getOrder().equals(N)
                && params.getCofactor() == 1;
        if (!same) {
            int bits = c.getField().getFieldSize();
            throw new IllegalArgumentException(
                    what + " is not on curve P-384 (secp384r1); its field has " + bits + " bits");
        }
    }

    /** A non-negative BigInteger below 2^384 as exactly 48 big-endian bytes. */
    static byte[] toFixed48(BigInteger v) {
        byte[] mag = v.toByteArray();
        byte[] out = new byte[48];
        int len = Math.min(mag.length, 48);
        System.arraycopy(mag, mag.length - len, out, 48 - len, len);
        Secrets.wipe(mag);
        return out;
    }

    static ECPoint generator() {
        return spec().getGenerator();
    }
}
