package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box: {@code planetary identity new|show|verify} and {@code planetary rootset keygen|create|sign|verify|show}. */
class IdentityCliIT {
    @TempDir
    Path dir;

    @BeforeAll
    static void jar() {
        PlanetaryProcess.assumeJar();
    }

    @Test
    void identityNewShowVerify() throws Exception {
        Path home = dir.resolve("home");
        PlanetaryProcess p = PlanetaryProcess.run(dir, 60, "identity", "new", "--home", home.toString(), "--json");
        assertEquals(0, p.exitCode(), p.err.text());
        String address = PlanetaryProcess.field(p.out.text(), "address");
        assertEquals(10, address.length());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("identity.secret"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("identity.public"))));
        // a second 'new' refuses to replace the identity
        PlanetaryProcess again = PlanetaryProcess.run(dir, 60, "identity", "new", "--home", home.toString());
        assertEquals(1, again.exitCode());
        assertTrue(again.err.text().contains("already exists"), again.err.text());

        PlanetaryProcess show = PlanetaryProcess.run(dir, 60, "identity", "show", "--home", home.toString());
        assertEquals(0, show.exitCode(), show.err.text());
        assertTrue(show.out.text().contains("address:     " + address), show.out.text());

        String pub = Files.readString(home.resolve("identity.public")).strip();
        PlanetaryProcess ok = PlanetaryProcess.run(dir, 60, "identity", "verify", pub);
        assertEquals(0, ok.exitCode(), ok.err.text());
        assertTrue(ok.out.text().startsWith("valid: " + address), ok.out.text());
        PlanetaryProcess okFile = PlanetaryProcess.run(dir, 60, "identity", "verify", home.resolve("identity.public").toString(), "--json");
        assertEquals(0, okFile.exitCode(), okFile.err.text());
        assertEquals("true", PlanetaryProcess.field(okFile.out.text(), "valid"));

        // a forged address: rejected, exit 1, reason named
        String other = (address.charAt(0) == 'a' ? "b" : "a") + address.substring(1);
        PlanetaryProcess bad = PlanetaryProcess.run(dir, 60, "identity", "verify", other + pub.substring(10));
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err.text().contains("address_mismatch"), bad.err.text());
    }

    @Test
    void rootsetLifecycle() throws Exception {
        Path home = dir.resolve("root1");
        assertEquals(0, PlanetaryProcess.run(dir, 60, "identity", "new", "--home", home.toString()).exitCode());
        assertEquals(0, PlanetaryProcess.run(dir, 60, "rootset", "keygen", "k1").exitCode());
        assertEquals(0, PlanetaryProcess.run(dir, 60, "rootset", "keygen", "k2").exitCode());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("k1.updatekey"))));
        String root = home.resolve("identity.public") + "@192.0.2.1/9993,[2001:db8::1]/9993";
        PlanetaryProcess c = PlanetaryProcess.run(dir, 60, "rootset", "create", "--name", "example", "--update-key", "k1.updatepub",
                "--root", root, "--key", "k1.updatekey", "-o", "r1.rootset");
        assertEquals(0, c.exitCode(), c.err.text());
        assertEquals(0, PlanetaryProcess.run(dir, 60, "rootset", "verify", "r1.rootset").exitCode());
        PlanetaryProcess show = PlanetaryProcess.run(dir, 60, "rootset", "show", "r1.rootset", "--json");
        assertEquals(0, show.exitCode(), show.err.text());
        assertTrue(show.out.text().contains("\"name\":\"example\"") && show.out.text().contains("192.0.2.1/9993"), show.out.text());

        // revision 2 rotating to k2, signed by k1: a valid update; signed by k2 alone: refused as an update
        assertEquals(0, PlanetaryProcess.run(dir, 60, "rootset", "sign", "r1.rootset", "--key", "k1.updatekey", "--update-key", "k2.updatepub", "-o", "r2a.rootset").exitCode());
        assertEquals(0, PlanetaryProcess.run(dir, 60, "rootset", "sign", "r1.rootset", "--key", "k2.updatekey", "--update-key", "k2.updatepub", "-o", "r2b.rootset").exitCode());
        PlanetaryProcess good = PlanetaryProcess.run(dir, 60, "rootset", "verify", "r2a.rootset", "--previous", "r1.rootset");
        assertEquals(0, good.exitCode(), good.err.text());
        PlanetaryProcess bad = PlanetaryProcess.run(dir, 60, "rootset", "verify", "r2b.rootset", "--previous", "r1.rootset");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.err.text().contains("update_rule"), bad.err.text());

        // a corrupted file: a clear error, no stack trace
        byte[] b = Files.readAllBytes(dir.resolve("r1.rootset"));
        b[b.length - 1] ^= 1;
        Files.write(dir.resolve("bad.rootset"), b);
        PlanetaryProcess corrupt = PlanetaryProcess.run(dir, 60, "rootset", "verify", "bad.rootset");
        assertEquals(1, corrupt.exitCode());
        assertTrue(corrupt.err.text().contains("signature") && !corrupt.err.text().contains("Exception"), corrupt.err.text());
    }
}
