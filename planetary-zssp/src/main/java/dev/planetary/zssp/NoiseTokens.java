package dev.planetary.zssp;

import static dev.planetary.zssp.crypto.ZsspConstants.P384_PUBLIC_SIZE;

import dev.planetary.zssp.crypto.P384KeyPair;
import dev.planetary.zssp.crypto.P384PublicKey;
import dev.planetary.zssp.crypto.Secrets;
import dev.planetary.zssp.crypto.SymmetricState;
import java.util.Arrays;

/** The Noise tokens shared by the XK handshake (Hello, Response) and the KK rekey. */
final class NoiseTokens {
    private NoiseTokens() {}

    /**
     * Write e: a fresh ephemeral key pair, its 49-byte public key at {@code msg[off..]}, then
     * MixHash(e) and — because a PSK is used — MixKey(e) (spec §5, "Write e").
     */
    static P384KeyPair writeEphemeral(RandomSource rng, SymmetricState noise, byte[] msg, int off) {
        P384KeyPair e = P384KeyPair.generate(rng);
        e.publicKey().writeTo(msg, off);
        mixEphemeral(noise, msg, off);
        return e;
    }

    /** Read e: MixHash(e), MixKey(e), then decode; null if it is not a valid point (an authentication failure). */
    static P384PublicKey readEphemeral(SymmetricState noise, byte[] msg, int off) {
        mixEphemeral(noise, msg, off);
        return P384PublicKey.decode(msg, off);
    }

    /** A DH token: MixKey(shared x-coordinate), then wipe it. */
    static void mixDh(SymmetricState noise, byte[] shared) {
        noise.mixKey(shared);
        Secrets.wipe(shared);
    }

    private static void mixEphemeral(SymmetricState noise, byte[] msg, int off) {
        noise.mixHash(msg, off, P384_PUBLIC_SIZE);
        noise.mixKey(Arrays.copyOfRange(msg, off, off + P384_PUBLIC_SIZE));
    }
}
