package dev.planetary.cli;

import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The peers {@code listen} accepts (--allow, --allow-file): full public keys and key fingerprints.
 * A fingerprint is {@code SHA256:} and the unpadded base64 of the SHA-256 of the 49-byte key, as
 * {@code keygen} and {@code pubkey} print it; 256 bits, so matching by fingerprint is as strong as
 * matching the key.
 */
final class AllowList {
    private static final String PREFIX = "SHA256:";
    private static final int FINGERPRINT_LENGTH = PREFIX.length() + 43;

    private final Set<String> fingerprints;
    private final List<String> entries;

    private AllowList(Set<String> fingerprints, List<String> entries) {
        this.fingerprints = Set.copyOf(fingerprints);
        this.entries = List.copyOf(entries);
    }

    /** The fingerprint {@code keygen} and {@code pubkey} print for {@code key}. */
    static String fingerprint(StaticPublicKey key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.toBytes());
            return PREFIX + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * @param allow     --allow values: a public key (98 hex digits), a fingerprint ({@code SHA256:…}) or a .pub file
     * @param allowFile --allow-file files: one key or fingerprint per line; {@code #} starts a comment, text after the key is ignored
     */
    static AllowList parse(List<String> allow, List<Path> allowFile) {
        Set<String> fps = new HashSet<>();
        Set<String> shown = new LinkedHashSet<>();
        for (String a : allow) {
            String fp = entry(a);
            if (fp == null) fp = fingerprint(KeyFiles.readPublic(Path.of(a)));
            fps.add(fp);
            shown.add(fp);
        }
        for (Path f : allowFile) {
            List<String> lines;
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliError(CliError.FAILED, "cannot read --allow-file " + f + ": " + e.getMessage(), e);
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty() || line.startsWith("#")) continue;
                String first = line.split("\\s+", 2)[0];
                String fp = entry(first);
                if (fp == null) {
                    throw new CliError(CliError.USAGE, f + " line " + (i + 1) + ": expected a public key (98 hex digits) or a fingerprint (SHA256:…) first");
                }
                fps.add(fp);
                shown.add(fp);
            }
        }
        return new AllowList(fps, new ArrayList<>(shown));
    }

    /** The fingerprint named by a key or fingerprint literal; null if {@code text} is neither (then it may be a file). */
    private static String entry(String text) {
        String t = text.strip();
        if (t.length() == 98 && t.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            try {
                return fingerprint(StaticPublicKey.fromHex(t.toLowerCase(Locale.ROOT)));
            } catch (RuntimeException e) {
                throw new CliError(CliError.USAGE, "--allow " + t.substring(0, 16) + "…: not a valid P-384 public key: " + e.getMessage());
            }
        }
        if (t.startsWith(PREFIX)) {
            boolean ok = t.length() == FINGERPRINT_LENGTH && t.substring(PREFIX.length()).chars()
                    .allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '+' || c == '/'));
            if (!ok) throw new CliError(CliError.USAGE, "bad fingerprint: expected SHA256: and 43 base64 characters, as 'planetary pubkey' prints");
            return t;
        }
        return null;
    }

    boolean isEmpty() {
        return fingerprints.isEmpty();
    }

    boolean allows(StaticPublicKey peer) {
        return fingerprints.contains(fingerprint(peer));
    }

    /** The fingerprints, in the order given. */
    List<String> entries() {
        return entries;
    }
}
