package dev.planetary.cli;

import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Key files. Private: PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), or one line of 96 hex digits (the
 * scalar). Public: one line of 98 hex digits (compressed point), or PEM SubjectPublicKeyInfo
 * ({@code BEGIN PUBLIC KEY}).
 */
final class KeyFiles {
    private static final int MAX_KEY_FILE = 64 * 1024;

    private KeyFiles() {}

    /**
     * Reads a private key file; one that group or others may read, write or execute is refused,
     * like ssh's "UNPROTECTED PRIVATE KEY FILE" (after parsing, so a file that is not a key at
     * all still says so).
     */
    static StaticKeyPair readPrivate(Path file) {
        StaticKeyPair k = parsePrivate(file);
        try {
            requireOwnerOnly(file, "private key");
        } catch (CliError e) {
            k.close();
            throw e;
        }
        return k;
    }

    /**
     * Refuses a secret file (private key, one-time password) that group or others can access:
     * {@code UNPROTECTED PRIVATE KEY FILE: … (mode 0644) … run 'chmod 600 FILE'}. No-op where the
     * file system has no POSIX permissions.
     */
    static void requireOwnerOnly(Path file, String what) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException | IOException e) {
            return;
        }
        Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : perms) if (!p.name().startsWith("OWNER_")) loose.add(p);
        if (loose.isEmpty()) return;
        int mode = 0;
        for (PosixFilePermission p : perms) mode |= 1 << (8 - p.ordinal());
        String label = what.equals("private key") ? "PRIVATE KEY" : what.toUpperCase(Locale.ROOT);
        throw new CliError(CliError.USAGE, String.format("UNPROTECTED %s FILE: %s is accessible by group or others (mode %04o);"
                + " a %s must be readable by its owner only, so it is refused: run 'chmod 600 %s'", label, file, mode, what, file));
    }

    private static StaticKeyPair parsePrivate(Path file) {
        String text = read(file, "private key");
        try {
            if (text.contains("-----BEGIN PRIVATE KEY-----")) return StaticKeyPair.fromPkcs8(pem(text, "PRIVATE KEY", file));
            if (text.contains("-----BEGIN EC PRIVATE KEY-----")) {
                throw malformed(file, "holds a SEC1 'EC PRIVATE KEY'; convert it with 'openssl pkcs8 -topk8 -nocrypt -in FILE'");
            }
            if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) throw malformed(file, "is an encrypted private key; decrypt it first");
            if (text.contains("PUBLIC KEY") || isHex(text.strip(), 98)) throw malformed(file, "holds a public key; pass the private .key file");
            String hex = text.strip();
            if (isHex(hex, 96)) return StaticKeyPair.fromScalar(HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
            throw malformed(file, "is not a private key (expected PKCS#8 PEM or one line of 96 hex digits)");
        } catch (CliError e) {
            throw e;
        } catch (RuntimeException e) {
            throw malformed(file, "is not a valid P-384 private key: " + e.getMessage());
        }
    }

    static StaticPublicKey readPublic(Path file) {
        String text = read(file, "public key");
        try {
            if (text.contains("-----BEGIN PUBLIC KEY-----")) return StaticPublicKey.fromSubjectPublicKeyInfo(pem(text, "PUBLIC KEY", file));
            if (text.contains("PRIVATE KEY") || isHex(text.strip(), 96)) throw malformed(file, "holds a private key; pass the .pub file (see 'planetary pubkey')");
            String hex = text.strip();
            if (isHex(hex, 98)) return StaticPublicKey.fromHex(hex.toLowerCase(Locale.ROOT));
            throw malformed(file, "is not a public key (expected one line of 98 hex digits or a PEM public key)");
        } catch (CliError e) {
            throw e;
        } catch (RuntimeException e) {
            throw malformed(file, "is not a valid P-384 public key: " + e.getMessage());
        }
    }

    /** The {@code .pub} line: lowercase hex of the 49-byte compressed key. */
    static String publicLine(StaticPublicKey key) {
        return key.toHex();
    }

    static String privatePem(StaticKeyPair key) {
        byte[] der = key.toPkcs8();
        try {
            return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                    + "\n-----END PRIVATE KEY-----\n";
        } finally {
            java.util.Arrays.fill(der, (byte) 0);
        }
    }

    /** Writes a new file (never overwrites unless {@code force}); owner-only if {@code secret}. */
    static void write(Path file, String content, boolean secret, boolean force) {
        try {
            if (Files.exists(file) && !force) throw new CliError(CliError.FAILED, file + " already exists (use --force to overwrite)");
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
                Files.writeString(tmp, content, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (CliError e) {
            throw e;
        } catch (FileAlreadyExistsException e) {
            throw new CliError(CliError.FAILED, file + " already exists (use --force to overwrite)");
        } catch (IOException e) {
            throw new CliError(CliError.FAILED, "cannot write " + file + ": " + describe(e));
        }
    }

    private static String read(Path file, String what) {
        try {
            if (Files.isDirectory(file)) throw new CliError(CliError.USAGE, "cannot read " + what + " file " + file + ": it is a directory");
            if (Files.size(file) > MAX_KEY_FILE) throw malformed(file, "is too large to be a key file");
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (CliError e) {
            throw e;
        } catch (IOException e) {
            throw new CliError(CliError.USAGE, "cannot read " + what + " file " + file + ": " + describe(e));
        }
    }

    private static byte[] pem(String text, String label, Path file) {
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end, b);
        if (b < 0 || e < 0) throw malformed(file, "has a PEM block without its END line");
        String body = text.substring(b + begin.length(), e).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException ex) {
            throw malformed(file, "has a PEM block that is not valid base64");
        }
    }

    private static boolean isHex(String s, int digits) {
        return s.length() == digits && s.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    private static CliError malformed(Path file, String why) {
        return new CliError(CliError.USAGE, "key file " + file + " " + why);
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof AccessDeniedException) return "permission denied";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
