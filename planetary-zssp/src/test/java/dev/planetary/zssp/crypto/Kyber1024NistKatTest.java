package dev.planetary.zssp.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.planetary.zssp.RandomSource;
import dev.planetary.zssp.testing.Vectors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The official NIST round-3 known-answer file of Kyber1024, {@code PQCkemKAT_3168.rsp} (100
 * entries, as produced by the submission's {@code PQCgenKAT_kem} with NIST's AES-256 CTR DRBG
 * seeded with the bytes 0..47).
 *
 * <p>The file is bundled under {@code vectors/} (it came from the npm package
 * {@code crystals-kyber} 5.1.0). Its SHA-256, {@value #OFFICIAL_SHA256}, is the digest other
 * implementations publish for the round-3 Kyber1024 KAT (e.g. Cloudflare CIRCL's and Zig's standard
 * library tests, "computed from reference implementation"), so the test also regenerates the whole
 * file text from this implementation and checks that digest independently of the bundled copy.
 */
class Kyber1024NistKatTest {
    static final String OFFICIAL_SHA256 = "89248f2f33f7f4f7051729111f3049c409a933ec904aedadf035f30fa5646cd5";
    private static final HexFormat HEX_UPPER = HexFormat.of().withUpperCase();
    private static final Kyber1024 KYBER = Kyber1024.instance();

    /** NIST's {@code rng.c}: AES-256 CTR_DRBG without derivation function or prediction resistance. */
    static final class NistDrbg implements RandomSource {
        private final byte[] key = new byte[32];
        private final byte[] v = new byte[16];
        private final Cipher aes;

        NistDrbg(byte[] entropy48) {
            try {
                aes = Cipher.getInstance("AES/ECB/NoPadding");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            update(entropy48);
        }

        private byte[] block() {
            for (int j = 15; j >= 0; j--) { // V = V + 1 (big-endian)
                if (++v[j] != 0) break;
            }
            try {
                aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
                return aes.doFinal(v);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        private void update(byte[] provided) {
            byte[] temp = new byte[48];
            for (int i = 0; i < 3; i++) System.arraycopy(block(), 0, temp, 16 * i, 16);
            if (provided != null) for (int i = 0; i < 48; i++) temp[i] ^= provided[i];
            System.arraycopy(temp, 0, key, 0, 32);
            System.arraycopy(temp, 32, v, 0, 16);
        }

        @Override
        public void nextBytes(byte[] out, int off, int len) {
            while (len > 0) {
                byte[] b = block();
                int n = Math.min(16, len);
                System.arraycopy(b, 0, out, off, n);
                off += n;
                len -= n;
            }
            update(null);
        }

        @Override public int nextInt() { throw new UnsupportedOperationException(); }

        @Override public long nextLong() { throw new UnsupportedOperationException(); }
    }

    record Entry(int count, byte[] seed, byte[] pk, byte[] sk, byte[] ct, byte[] ss) {}

    static byte[] bundledFile() throws IOException {
        try (InputStream in = Kyber1024NistKatTest.class.getResourceAsStream("/vectors/PQCkemKAT_3168.rsp")) {
            assertNotNull(in, "vectors/PQCkemKAT_3168.rsp is bundled");
            return in.readAllBytes();
        }
    }

    static List<Entry> parse(byte[] file) {
        List<Entry> entries = new ArrayList<>();
        Map<String, String> cur = new LinkedHashMap<>();
        for (String line : new String(file, StandardCharsets.US_ASCII).split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq < 0) continue;
            cur.put(line.substring(0, eq), line.substring(eq + 3).trim());
            if (cur.containsKey("ss")) {
                entries.add(new Entry(Integer.parseInt(cur.get("count")), Vectors.hex(cur.get("seed").toLowerCase(Locale.ROOT)),
                        Vectors.hex(cur.get("pk").toLowerCase(Locale.ROOT)), Vectors.hex(cur.get("sk").toLowerCase(Locale.ROOT)),
                        Vectors.hex(cur.get("ct").toLowerCase(Locale.ROOT)), Vectors.hex(cur.get("ss").toLowerCase(Locale.ROOT))));
                cur.clear();
            }
        }
        return entries;
    }

    private static String sha256Hex(byte[] b) throws Exception {
        return Vectors.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void bundledFileIsTheOfficialOne() throws Exception {
        assertEquals(OFFICIAL_SHA256, sha256Hex(bundledFile()));
    }

    @Test
    void drbgMatchesTheSeedsOfTheFile() throws Exception {
        byte[] entropy = new byte[48];
        for (int i = 0; i < 48; i++) entropy[i] = (byte) i;
        NistDrbg drbg = new NistDrbg(entropy);
        List<Entry> entries = parse(bundledFile());
        assertEquals(100, entries.size());
        for (Entry e : entries) assertArrayEquals(e.seed(), drbg.bytes(48), "seed of count " + e.count());
    }

    @Test
    void allHundredEntries() throws Exception {
        List<Entry> entries = parse(bundledFile());
        assertEquals(100, entries.size());
        for (Entry e : entries) {
            String id = "count " + e.count();
            NistDrbg rng = new NistDrbg(e.seed());
            KemKeyPair kp = KYBER.generateKeyPair(rng);
            assertArrayEquals(e.pk(), kp.publicKey(), id + " pk");
            assertArrayEquals(e.sk(), Kyber1024.exportPrivateKey(kp.privateKey()), id + " sk");
            KemEncapsulation enc = KYBER.encapsulate(kp.publicKey(), rng);
            assertArrayEquals(e.ct(), enc.ciphertext(), id + " ct");
            assertArrayEquals(e.ss(), enc.sharedSecret(), id + " ss");
            // decapsulation with the file's own secret key
            assertArrayEquals(e.ss(), KYBER.decapsulate(Kyber1024.importPrivateKey(e.sk()), e.ct()), id + " decaps");
        }
    }

    /** Regenerates the .rsp text exactly as PQCgenKAT_kem prints it and checks the published digest. */
    @Test
    void regeneratedFileHasThePublishedDigest() throws Exception {
        byte[] entropy = new byte[48];
        for (int i = 0; i < 48; i++) entropy[i] = (byte) i;
        NistDrbg master = new NistDrbg(entropy);
        byte[][] seeds = new byte[100][];
        for (int i = 0; i < 100; i++) seeds[i] = master.bytes(48);
        StringBuilder sb = new StringBuilder("# Kyber1024\n\n");
        for (int i = 0; i < 100; i++) {
            NistDrbg rng = new NistDrbg(seeds[i]);
            KemKeyPair kp = KYBER.generateKeyPair(rng);
            KemEncapsulation enc = KYBER.encapsulate(kp.publicKey(), rng);
            byte[] ss = KYBER.decapsulate(kp, enc.ciphertext());
            assertArrayEquals(enc.sharedSecret(), ss, "count " + i);
            sb.append("count = ").append(i).append('\n')
              .append("seed = ").append(HEX_UPPER.formatHex(seeds[i])).append('\n')
              .append("pk = ").append(HEX_UPPER.formatHex(kp.publicKey())).append('\n')
              .append("sk = ").append(HEX_UPPER.formatHex(Kyber1024.exportPrivateKey(kp.privateKey()))).append('\n')
              .append("ct = ").append(HEX_UPPER.formatHex(enc.ciphertext())).append('\n')
              .append("ss = ").append(HEX_UPPER.formatHex(ss)).append("\n\n");
        }
        assertEquals(OFFICIAL_SHA256, sha256Hex(sb.toString().getBytes(StandardCharsets.US_ASCII)));
    }
}
