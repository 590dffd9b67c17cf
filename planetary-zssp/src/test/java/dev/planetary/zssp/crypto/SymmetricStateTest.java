package dev.planetary.zssp.crypto;

import static dev.planetary.zssp.testing.Vectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.planetary.zssp.crypto.SymmetricState.Ask;
import dev.planetary.zssp.crypto.SymmetricState.Protocol;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Noise SymmetricState operations against the independent vectors of spec Appendix A. */
class SymmetricStateTest {

    private static byte[] seq(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) i;
        return b;
    }

    @Test
    void mixHash() {
        SymmetricState s = SymmetricState.initialize(Protocol.XK);
        s.mixHash(hex("01020304"));
        assertArrayEquals(hex("ba574baf63ca6bbad2b8e5d9ac66aa7c33736560a575794e9e5d47723453a235"
                + "1ce688c169d8048d9b8e906f7abd641c6f098cec09b0fc5fb7daf4e05214f6e4"), s.handshakeHash());
    }

    @Test
    void mixKey() {
        SymmetricState s = SymmetricState.initialize(Protocol.XK);
        s.mixKey(seq(48));
        assertArrayEquals(hex("8b8b5cecb06e0fa8354362edde6bfeccdef17d2d35a8f1570c1f3d9938a6b172"
                + "1ff88a251f6eccf3a04b57515137ea2bd474bafee04bf8a1a9c2ef85b03115a7"), s.chainingKey());
        assertArrayEquals(hex("349158973ec03ac417f7d1f1ee6c24566bf20a95d5482220f624ba3d5ebe7e16"), s.cipherKey());
    }

    @Test
    void mixKeyAndHash() {
        SymmetricState s = SymmetricState.initialize(Protocol.XK);
        s.mixKeyAndHash(seq(32));
        assertArrayEquals(hex("0723c66f1664e3102249880b283baeed71661968d816958224b74a5965464b29"
                + "93967b6c576bcfc27204b31beab0f13017142d1c7662e5eca8c9cdedba524e3d"), s.chainingKey());
        assertArrayEquals(hex("41139645e44ab61626b2ab7ae8afd38f781dce9091e3a4fc10b66946b398ff26"
                + "675a9b4b1ff9a78c1ffa0830b8d9a16926dbce17ab5dfd48aca0677a9ac85044"), s.handshakeHash());
        assertArrayEquals(hex("9a9b5fe3e7f9189ecad45459a91086a2cc73be226ab7ef9cbaf021ff410e440f"), s.cipherKey());
    }

    @Test
    void getAskAndSplit() {
        SymmetricState s = SymmetricState.initialize(Protocol.XK);
        byte[][] askh = s.getAsk(Ask.ASKH);
        assertArrayEquals(hex("91a8ffef56661289a75b9e66b67a59ec4f2bec972946ae0d516d3f1df30f3231"), askh[0]);
        assertArrayEquals(hex("5e35efc13461c145c932677752e9d60c61cab6a719b0bf1b05c304101ceaf6e0"), askh[1]);
        byte[][] split = s.split();
        assertArrayEquals(hex("708069ea5d99037a981fc6db9a71860738473891caa2f4c0bef329fb70407ce5"), split[0]);
        assertArrayEquals(hex("1e35dd1a204a9ecef3452fca08e8410086cab9c5e98b475199b3656e3a192355"), split[1]);
        // GetAsk and Split leave the state unchanged.
        assertArrayEquals(askh[0], s.getAsk(Ask.ASKH)[0]);
    }

    @Test
    void encryptThenDecryptAgreeAndTamperingFailsWithoutStateChange() {
        Random rnd = new Random(7);
        for (int len : new int[] {0, 1, 4, 49, 1568}) {
            SymmetricState a = SymmetricState.initialize(Protocol.KK);
            SymmetricState b = SymmetricState.initialize(Protocol.KK);
            byte[] ikm = new byte[48];
            rnd.nextBytes(ikm);
            a.mixKey(ikm);
            b.mixKey(ikm);
            byte[] pt = new byte[len];
            rnd.nextBytes(pt);
            byte[] ct = a.encryptAndHash(5, 0, pt);
            assertEquals(len + 16, ct.length);

            byte[] bad = ct.clone();
            bad[rnd.nextInt(bad.length)] ^= 1;
            byte[] hBefore = b.handshakeHash();
            assertNull(b.decryptAndHash(5, 0, bad, 0, bad.length));
            assertArrayEquals(hBefore, b.handshakeHash(), "failed decrypt must not change h");
            assertNull(b.decryptAndHash(5, 1, ct, 0, ct.length), "wrong nonce must fail");

            assertArrayEquals(pt, b.decryptAndHash(5, 0, ct, 0, ct.length));
            assertArrayEquals(a.handshakeHash(), b.handshakeHash());
        }
    }

    @Test
    void inPlaceDecryptHashesTheCiphertext() {
        SymmetricState a = SymmetricState.initialize(Protocol.XK);
        SymmetricState b = a.copy();
        byte[] pt = seq(64);
        byte[] buf = a.encryptAndHash(0, 1, pt);
        assertFalse(Arrays.equals(buf, pt));
        b.decryptAndHash(0, 1, buf, 0, buf.length, buf, 0);
        assertArrayEquals(pt, Arrays.copyOf(buf, 64));
        assertArrayEquals(a.handshakeHash(), b.handshakeHash());
    }

    @Test
    void copyIsIndependent() {
        SymmetricState a = SymmetricState.initialize(Protocol.XK);
        SymmetricState b = a.copy();
        b.mixHash(new byte[] {1});
        assertFalse(Arrays.equals(a.handshakeHash(), b.handshakeHash()));
    }

    @Test
    void tooShortCiphertextIsAFailureNotAnException() {
        SymmetricState a = SymmetricState.initialize(Protocol.XK);
        assertNull(a.decryptAndHash(0, 0, new byte[15], 0, 15));
    }
}
