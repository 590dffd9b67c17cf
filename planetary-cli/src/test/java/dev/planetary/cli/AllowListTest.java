package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.StaticKeyPair;
import dev.planetary.zssp.StaticPublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code listen --allow/--allow-file} entries and {@code --session-buffer} sizes. */
class AllowListTest {
    @TempDir
    Path dir;

    private static StaticPublicKey key() {
        try (StaticKeyPair k = StaticKeyPair.generate()) {
            return k.publicKey();
        }
    }

    @Test
    void keysFingerprintsFilesAndAuthorizedKeysStyleLists() throws Exception {
        StaticPublicKey a = key(), b = key(), c = key(), d = key(), stranger = key();
        Files.writeString(dir.resolve("b.pub"), b.toHex() + "\n");
        Files.writeString(dir.resolve("list"), "# team\n\n  " + c.toHex().toUpperCase() + "  carol@host # laptop\n" + AllowList.fingerprint(d) + "\n# "
                + stranger.toHex() + "\n");
        AllowList l = AllowList.parse(List.of(a.toHex(), dir.resolve("b.pub").toString()), List.of(dir.resolve("list")));
        for (StaticPublicKey k : List.of(a, b, c, d)) assertTrue(l.allows(k));
        assertFalse(l.allows(stranger), "a commented-out key is not allowed");
        assertEquals(4, l.entries().size());
        assertTrue(AllowList.parse(List.of(), List.of()).isEmpty());
        assertTrue(AllowList.fingerprint(a).matches("SHA256:[A-Za-z0-9+/]{43}"), AllowList.fingerprint(a));
        assertEquals(AllowList.fingerprint(a), AllowList.fingerprint(StaticPublicKey.fromHex(a.toHex())));
    }

    @Test
    void malformedEntriesAreUsageErrors() throws Exception {
        Files.writeString(dir.resolve("bad"), "# ok\nnot-a-key comment\n");
        CliError e = assertThrows(CliError.class, () -> AllowList.parse(List.of(), List.of(dir.resolve("bad"))));
        assertEquals(CliError.USAGE, e.exitCode);
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertEquals(CliError.USAGE, assertThrows(CliError.class, () -> AllowList.parse(List.of("SHA256:short"), List.of())).exitCode);
        assertThrows(CliError.class, () -> AllowList.parse(List.of(dir.resolve("missing.pub").toString()), List.of()));
    }

    @Test
    void sizes() {
        assertEquals(8L << 20, Sizes.parse("--x", "8m"));
        assertEquals(512L << 10, Sizes.parse("--x", "512KiB"));
        assertEquals(4096, Sizes.parse("--x", "4096"));
        assertEquals(CliError.USAGE, assertThrows(CliError.class, () -> Sizes.parse("--x", "lots")).exitCode);
        assertEquals(CliError.USAGE, assertThrows(CliError.class, () -> Sizes.parse("--x", "-1")).exitCode);
    }
}
