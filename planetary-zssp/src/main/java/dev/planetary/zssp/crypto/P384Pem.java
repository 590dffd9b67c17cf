package dev.planetary.zssp.crypto;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Minimal RFC 7468 PEM framing for the P-384 key files ("PRIVATE KEY", "PUBLIC KEY"). */
final class P384Pem {
    private P384Pem() {}

    /** The DER inside the first block labelled {@code label}; IllegalArgumentException otherwise. */
    static byte[] decode(String pem, String label) {
        if (pem == null) throw new IllegalArgumentException("PEM text is null");
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = pem.indexOf(begin);
        int e = b < 0 ? -1 : pem.indexOf(end, b + begin.length());
        if (b < 0 || e < 0) {
            throw new IllegalArgumentException("expected a PEM block labelled \"" + label + "\"");
        }
        StringBuilder body = new StringBuilder(e - b);
        for (int i = b + begin.length(); i < e; i++) {
            char c = pem.charAt(i);
            if (!Character.isWhitespace(c)) body.append(c);
        }
        try {
            return Base64.getDecoder().decode(body.toString());
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("PEM block \"" + label + "\" is not valid base64", ex);
        } finally {
            body.setLength(0);
        }
    }

    static String encode(byte[] der, String label) {
        String b64 = new String(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encode(der),
                StandardCharsets.US_ASCII);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }
}
