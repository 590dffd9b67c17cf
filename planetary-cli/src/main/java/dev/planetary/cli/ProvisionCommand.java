package dev.planetary.cli;

import dev.planetary.store.PeerExistsException;
import dev.planetary.store.PeerRatchetStore;
import dev.planetary.zssp.RatchetState;
import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code provision}: stores the one-time-password initial ratchet state (spec §8.2) for a peer, so
 * that the first session between two peers in persistent mode (π1, which drops Hellos without a
 * recognised ratchet) can happen at all.
 */
@Command(name = "provision", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Stores a one-time password's initial ratchet state for a peer (spec §8.2), so that the first session",
                "in persistent mode (listen --require-ratchet) is recognised. Run it on one side without --otp/--otp-file:",
                "it generates the OTP (256 bits from the OS) and prints it once; run it on the other side with that OTP",
                "(--otp-file FILE). The initiator must use --disallow-downgrade for that first session."})
final class ProvisionCommand implements Callable<Integer> {
    static final int MIN_OTP_BYTES = 32;
    /** A user-supplied OTP must carry at least this much entropy, by {@link #entropyBits}'s estimate. */
    static final int MIN_OTP_BITS = 128;
    private static final int MAX_OTP_FILE = 64 * 1024;

    @Option(names = "--key", paramLabel = "FILE", required = true, description = "This node's private key file (selects its store).")
    Path key;

    @Option(names = "--peer", paramLabel = "PUBFILE", required = true, description = "The peer's public key file.")
    Path peer;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Otp otp;

    static final class Otp {
        @Option(names = "--otp", paramLabel = "HEX", required = true,
                description = "The one-time password as hex (at least 64 hex digits). Visible to other users in the process list: prefer --otp-file.")
        String hex;

        @Option(names = "--otp-file", paramLabel = "FILE", required = true,
                description = "A file (mode 0600) holding the one-time password: one line of hex digits (at least 64), or at least 32 raw bytes.")
        Path file;
    }

    @Option(names = "--state", paramLabel = "DIR", description = "Directory of the durable ratchet store (as for listen/connect).")
    Path state;

    @Option(names = "--store-url", paramLabel = "URL", description = "PostgreSQL store instead of SQLite (as for listen/connect).")
    String storeUrl;

    @Option(names = "--force", description = "Replace the peer's existing ratchet states (the peer must be provisioned with the same OTP again).")
    boolean force;

    @Option(names = "--json", description = "Print the result as one JSON event.")
    boolean json;

    @Override
    public Integer call() {
        Output out = new Output(System.out, System.out, json, false, false);
        StaticPublicKey local;
        try (StaticKeyPair k = KeyFiles.readPrivate(key)) {
            local = k.publicKey();
        }
        StaticPublicKey peerKey = KeyFiles.readPublic(peer);
        boolean generated = otp == null;
        byte[] secret = generated ? generate() : otp.hex != null ? parseHex("--otp", otp.hex) : readOtpFile(otp.file);
        if (!generated) requireStrong(secret, otp.hex != null ? "--otp" : "OTP file " + otp.file);
        RatchetState provisioned;
        String where;
        String shown = generated ? HexFormat.of().formatHex(secret) : null;
        try (PeerRatchetStore store = CommonOptions.openDurableStore(state, storeUrl, local, out)) {
            where = store.toString();
            try {
                provisioned = store.provisionOtp(peerKey, secret, force);
            } catch (PeerExistsException e) {
                throw new CliError(CliError.FAILED, "peer " + Net.shortKey(peerKey) + " already has ratchet states in " + where
                        + "; provisioning again replaces them and the peer must then be provisioned with the same OTP (use --force)");
            } catch (IOException e) {
                throw new CliError(CliError.FAILED, "cannot provision " + Net.shortKey(peerKey) + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new CliError(CliError.FAILED, "cannot close the ratchet store: " + e.getMessage(), e);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        String fp = HexFormat.of().formatHex(provisioned.fingerprint());
        out.event("provisioned", "provisioned peer " + Net.shortKey(peerKey) + " in " + where + ": ratchet fingerprint "
                        + fp.substring(0, 16) + "… (chain length " + provisioned.chainLength() + "); the peer must store the same OTP,"
                        + " and the initiator must connect with --disallow-downgrade",
                "peer", peerKey.toHex(), "fingerprint", fp, "chainLength", provisioned.chainLength(), "store", where, "replaced", force,
                "generated", generated);
        if (generated) {
            // Printed once, here: it is not stored anywhere (only the ratchet state derived from it).
            out.eventBlock("otp", "one-time password (shown once; give it to the peer over a trusted channel, and run there:"
                            + " planetary provision --key PEER.key --peer THIS.pub --otp-file FILE):\n" + shown,
                    "otp", shown, "bits", 8 * secret.length);
        }
        return 0;
    }

    /** 256 bits from the operating system's CSPRNG (/dev/urandom, getrandom). */
    static byte[] generate() {
        byte[] b = new byte[MIN_OTP_BYTES];
        SecureRandom rng;
        try {
            rng = SecureRandom.getInstance("NativePRNGNonBlocking");
        } catch (NoSuchAlgorithmException e) {
            rng = new SecureRandom(); // not Unix: the platform default, seeded by the OS
        }
        rng.nextBytes(b);
        return b;
    }

    /** Refuses an OTP whose estimated entropy is below {@link #MIN_OTP_BITS}: all-zero, repeated, sequential or too short. */
    static void requireStrong(byte[] otp, String what) {
        double bits = entropyBits(otp);
        if (bits < MIN_OTP_BITS) {
            Arrays.fill(otp, (byte) 0);
            throw new CliError(CliError.USAGE, String.format(Locale.ROOT, "%s does not look random: about %.0f bits of entropy (repeated,"
                    + " sequential or constant bytes), at least %d needed; omit --otp/--otp-file to have one generated", what, bits, MIN_OTP_BITS));
        }
    }

    /**
     * A conservative estimate of the entropy of {@code b}, in bits: the smaller of two, each the
     * empirical Shannon entropy of the byte histogram of one period times the period length, for
     * the bytes themselves and for their successive differences (which catch 00 01 02 …). A
     * repeated block counts once. Random 32-byte values score about 150; a pattern, a counter or a
     * constant scores far below 128.
     */
    static double entropyBits(byte[] b) {
        if (b.length == 0) return 0;
        byte[] d = new byte[b.length - 1];
        for (int i = 1; i < b.length; i++) d[i - 1] = (byte) (b[i] - b[i - 1]);
        return Math.min(periodBits(b), periodBits(d));
    }

    private static double periodBits(byte[] b) {
        int n = b.length;
        if (n == 0) return 0;
        int p = n;
        for (int q = 1; q < n; q++) { // the shortest period
            boolean ok = true;
            for (int i = q; i < n && ok; i++) ok = b[i] == b[i - q];
            if (ok) {
                p = q;
                break;
            }
        }
        int[] count = new int[256];
        for (int i = 0; i < p; i++) count[b[i] & 0xff]++;
        double h = 0;
        for (int c : count) {
            if (c == 0) continue;
            double f = (double) c / p;
            h -= f * Math.log(f) / Math.log(2);
        }
        return h * p;
    }

    private static byte[] readOtpFile(Path file) {
        byte[] raw;
        try {
            if (Files.size(file) > MAX_OTP_FILE) throw new CliError(CliError.USAGE, "OTP file " + file + " is larger than 64 KiB");
            KeyFiles.requireOwnerOnly(file, "one-time password");
            raw = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CliError(CliError.USAGE, "cannot read OTP file " + file + ": no such file");
        } catch (IOException e) {
            throw new CliError(CliError.USAGE, "cannot read OTP file " + file + ": " + KeyFiles.describe(e));
        }
        String text = new String(raw, StandardCharsets.ISO_8859_1).strip();
        if (!text.isEmpty() && text.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            Arrays.fill(raw, (byte) 0);
            return parseHex("OTP file " + file, text);
        }
        if (raw.length < MIN_OTP_BYTES) {
            throw new CliError(CliError.USAGE, "OTP file " + file + " holds " + raw.length + " bytes; a one-time password needs at least "
                    + MIN_OTP_BYTES + " random bytes (or 64 hex digits)");
        }
        return raw;
    }

    private static byte[] parseHex(String what, String hex) {
        String h = hex.strip().toLowerCase(Locale.ROOT);
        if (h.length() % 2 != 0 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new CliError(CliError.USAGE, what + " is not an even number of hex digits");
        }
        if (h.length() < 2 * MIN_OTP_BYTES) {
            throw new CliError(CliError.USAGE, what + " has " + h.length() / 2 + " bytes; a one-time password needs at least " + MIN_OTP_BYTES
                    + " random bytes (64 hex digits)");
        }
        return HexFormat.of().parseHex(h);
    }
}
