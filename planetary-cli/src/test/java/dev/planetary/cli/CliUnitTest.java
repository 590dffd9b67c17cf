package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.zssp.StaticKeyPair;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliUnitTest {
    @TempDir
    Path dir;

    @Test
    void durations() {
        assertEquals(500, Durations.parseMillis("--x", "500ms", 0));
        assertEquals(3000, Durations.parseMillis("--x", "3s", 0));
        assertEquals(1500, Durations.parseMillis("--x", "1.5s", 0));
        assertEquals(120_000, Durations.parseMillis("--x", "2m", 0));
        assertEquals(3_600_000, Durations.parseMillis("--x", "1h", 0));
        assertTrue(assertThrows(CliError.class, () -> Durations.parseMillis("--x", "3", 0)).getMessage().contains("needs a unit"));
        assertTrue(assertThrows(CliError.class, () -> Durations.parseMillis("--x", "soon", 0)).getMessage().contains("not a duration"));
        assertTrue(assertThrows(CliError.class, () -> Durations.parseMillis("--x", "10ms", 100)).getMessage().contains("at least 100ms"));
    }

    @Test
    void addresses() {
        assertEquals(new InetSocketAddress("127.0.0.1", 4000), Addresses.parse("a", "127.0.0.1:4000", false));
        assertEquals(new InetSocketAddress("::1", 4000), Addresses.parse("a", "[::1]:4000", false));
        assertEquals(new InetSocketAddress("0.0.0.0", 0), Addresses.parse("a", ":0", true));
        assertTrue(assertThrows(CliError.class, () -> Addresses.parse("a", "::1:4000", false)).getMessage().contains("[ADDRESS]:PORT"));
        assertTrue(assertThrows(CliError.class, () -> Addresses.parse("a", "host:0", false)).getMessage().contains("port must be 1..65535"));
        assertTrue(assertThrows(CliError.class, () -> Addresses.parse("a", "h:x", false)).getMessage().contains("not a number"));
        assertTrue(assertThrows(CliError.class, () -> Addresses.parse("a", "no-such-host.invalid:1", false)).getMessage().contains("cannot resolve"));
    }

    @Test
    void jsonLines() {
        String line = Output.jsonLine("x", "s", "a\"b\\c\n\u0001", "n", 3, "d", 1.5, "b", true, "z", null, "l", List.of(1, "two"), "m", Map.of("k", 2L));
        assertTrue(line.startsWith("{\"event\":\"x\",\"ts\":\""), line);
        assertTrue(line.endsWith(",\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":3,\"d\":1.500,\"b\":true,\"z\":null,\"l\":[1,\"two\"],\"m\":{\"k\":2}}"), line);
        assertTrue(Output.jsonLine("y", "nan", Double.NaN).endsWith("\"nan\":null}"));
    }

    @Test
    void pingSizesAndProbes() {
        assertArrayEquals(new int[] {56, 56}, PingCommand.sizes("56"));
        assertArrayEquals(new int[] {8, 5360}, PingCommand.sizes("8-5360"));
        assertThrows(CliError.class, () -> PingCommand.sizes("7"));
        assertThrows(CliError.class, () -> PingCommand.sizes("10-9"));
        assertThrows(CliError.class, () -> PingCommand.sizes("a-b"));
        byte[] p = PingCommand.probe(5, 100);
        assertEquals(100, p.length);
        assertEquals(5, p[3]);
        assertArrayEquals(p, PingCommand.probe(5, 100));
    }

    @Test
    void keyFilesRoundTrip() throws Exception {
        try (StaticKeyPair k = StaticKeyPair.generate()) {
            Path priv = dir.resolve("k.key");
            KeyFiles.write(priv, KeyFiles.privatePem(k), true, false);
            try (StaticKeyPair back = KeyFiles.readPrivate(priv)) {
                assertEquals(k.publicKey(), back.publicKey());
            }
            Path pub = dir.resolve("k.pub");
            KeyFiles.write(pub, KeyFiles.publicLine(k.publicKey()) + "\n", false, false);
            assertEquals(k.publicKey(), KeyFiles.readPublic(pub));
            assertTrue(assertThrows(CliError.class, () -> KeyFiles.write(pub, "x", false, false)).getMessage().contains("already exists"));
            Files.writeString(dir.resolve("bad.pub"), "05" + "00".repeat(48) + "\n");
            assertTrue(assertThrows(CliError.class, () -> KeyFiles.readPublic(dir.resolve("bad.pub"))).getMessage().contains("not a valid P-384 public key"));
        }
    }

    @Test
    void exitCodesForUsageErrors() {
        assertEquals(2, Main.run("no-such-command"));
        assertEquals(2, Main.run("ping"));
        assertEquals(0, Main.run("--version"));
    }
}
