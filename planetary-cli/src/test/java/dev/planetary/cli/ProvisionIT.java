package dev.planetary.cli;

import static dev.planetary.cli.PlanetaryProcess.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code planetary provision}: OTP first contact in persistent mode, and its refusals. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ProvisionIT {
    private static final String OTP = randomHex();

    private static String randomHex() {
        byte[] b = new byte[32];
        new java.security.SecureRandom().nextBytes(b);
        return java.util.HexFormat.of().formatHex(b);
    }

    private static void ownerOnly(Path f) throws java.io.IOException {
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    @TempDir
    Path dir;

    @BeforeAll
    static void onlyInTheIntegrationTestPhase() {
        PlanetaryProcess.assumeJar();
    }

    /**
     * Without --otp/--otp-file, provision generates the OTP (256 bits) and prints it once; the
     * peer provisions with it and both derive the same ratchet. Weak and unprotected OTPs are refused.
     */
    @Test
    void generatedOtpIsPrintedOnceAndWeakOrUnprotectedOtpsAreRefused() throws Exception {
        PlanetaryProcess.keygen(dir, "server", "client");
        PlanetaryProcess gen = PlanetaryProcess.run(dir, 60, "provision", "--key", "server.key", "--peer", "client.pub", "--state", "s", "--json");
        assertEquals(0, gen.exitCode(), gen.dump());
        assertEquals(1, gen.events("otp").size(), gen.dump());
        String otp = field(gen.events("otp").get(0), "otp");
        assertTrue(otp.matches("[0-9a-f]{64}"), otp);
        assertEquals(1, gen.out.lines.stream().filter(l -> l.contains(otp)).count(), "printed once");
        assertEquals("true", field(gen.events("provisioned").get(0), "generated"));
        PlanetaryProcess human = PlanetaryProcess.run(dir, 60, "provision", "--key", "client.key", "--peer", "server.pub", "--state", "other");
        assertEquals(0, human.exitCode(), human.dump());
        assertTrue(human.out.text().matches("(?s).*one-time password \\(shown once.*\n[0-9a-f]{64}.*"), human.dump());

        Files.writeString(dir.resolve("given.otp"), otp + "\n");
        Files.setPosixFilePermissions(dir.resolve("given.otp"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        PlanetaryProcess unprotected = PlanetaryProcess.run(dir, 60, "provision", "--key", "client.key", "--peer", "server.pub",
                "--otp-file", "given.otp", "--state", "c");
        assertEquals(2, unprotected.exitCode(), unprotected.dump());
        assertTrue(unprotected.err.text().contains("UNPROTECTED ONE-TIME PASSWORD FILE: given.otp") && unprotected.err.text().contains("chmod 600"),
                unprotected.dump());
        ownerOnly(dir.resolve("given.otp"));
        PlanetaryProcess peer = PlanetaryProcess.run(dir, 60, "provision", "--key", "client.key", "--peer", "server.pub",
                "--otp-file", "given.otp", "--state", "c", "--json");
        assertEquals(0, peer.exitCode(), peer.dump());
        assertTrue(peer.events("otp").isEmpty(), "a given OTP is never printed");
        assertEquals(field(gen.events("provisioned").get(0), "fingerprint"), field(peer.events("provisioned").get(0), "fingerprint"));

        for (String weak : List.of("00".repeat(32), "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", "ab".repeat(40),
                "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")) {
            PlanetaryProcess w = PlanetaryProcess.run(dir, 60, "provision", "--key", "client.key", "--peer", "server.pub", "--otp", weak,
                    "--state", "weak");
            assertEquals(2, w.exitCode(), w.dump());
            assertTrue(w.err.text().contains("does not look random"), w.dump());
        }
        assertFalse(Files.exists(dir.resolve("weak")), "nothing stored for a refused OTP");
    }

    @Test
    void otpFirstContactInPersistentModeAndRefusals() throws Exception {
        PlanetaryProcess.keygen(dir, "server", "client", "stranger");
        Files.writeString(dir.resolve("pair.otp"), OTP + "\n");
        Files.writeString(dir.resolve("short.otp"), "abcd\n");
        ownerOnly(dir.resolve("pair.otp"));
        ownerOnly(dir.resolve("short.otp"));

        PlanetaryProcess tooShort = PlanetaryProcess.run(dir, 60, "provision", "--key", "server.key", "--peer", "client.pub", "--otp-file", "short.otp",
                "--state", "s");
        assertEquals(2, tooShort.exitCode(), tooShort.dump());
        assertTrue(tooShort.err.text().contains("needs at least 32 random bytes"), tooShort.dump());
        PlanetaryProcess both = PlanetaryProcess.run(dir, 60, "provision", "--key", "server.key", "--peer", "client.pub", "--otp", OTP,
                "--otp-file", "pair.otp", "--state", "s");
        assertEquals(2, both.exitCode(), both.dump());

        PlanetaryProcess server = PlanetaryProcess.run(dir, 60, "provision", "--key", "server.key", "--peer", "client.pub", "--otp-file", "pair.otp",
                "--state", "s", "--json");
        assertEquals(0, server.exitCode(), server.dump());
        PlanetaryProcess client = PlanetaryProcess.run(dir, 60, "provision", "--key", "client.key", "--peer", "server.pub", "--otp", OTP,
                "--state", "c", "--json");
        assertEquals(0, client.exitCode(), client.dump());
        String fp = field(server.events("provisioned").get(0), "fingerprint");
        assertEquals(fp, field(client.events("provisioned").get(0), "fingerprint"), "both sides derive the same ratchet");
        assertEquals("1", field(server.events("provisioned").get(0), "chainLength"));
        assertFalse(server.out.text().contains(OTP), "the OTP is never printed");

        PlanetaryProcess again = PlanetaryProcess.run(dir, 60, "provision", "--key", "server.key", "--peer", "client.pub", "--otp-file", "pair.otp",
                "--state", "s");
        assertEquals(1, again.exitCode(), again.dump());
        assertTrue(again.err.text().contains("already has ratchet states") && again.err.text().contains("--force"), again.dump());
        assertEquals(0, PlanetaryProcess.run(dir, 60, "provision", "--key", "server.key", "--peer", "client.pub", "--otp-file", "pair.otp",
                "--state", "s", "--force").exitCode());

        PlanetaryProcess listener = PlanetaryProcess.start("listener", dir, List.of("listen", "--json", "--bind", "127.0.0.1:0", "--key", "server.key",
                "--echo", "--allow-any", "--state", "s", "--require-ratchet", "--disallow-downgrade", "--silent-reject"));
        try {
            String address = field(listener.out.await(l -> l.contains("\"event\":\"listening\""), 90, "the listening event"), "address");
            // π1: a peer without a provisioned ratchet gets no answer at all.
            PlanetaryProcess stranger = PlanetaryProcess.run(dir, 60, "ping", address, "--key", "stranger.key", "--peer", "server.pub",
                    "--state", "x", "--disallow-downgrade", "--count", "1", "--timeout", "2s");
            assertEquals(1, stranger.exitCode(), stranger.dump());
            assertTrue(stranger.err.text().contains("no handshake with"), stranger.dump());
            // The provisioned client gets in on the OTP ratchet, without a downgrade.
            PlanetaryProcess ping = PlanetaryProcess.run(dir, 60, "ping", address, "--json", "--key", "client.key", "--peer", "server.pub",
                    "--state", "c", "--disallow-downgrade", "--count", "3", "--interval", "50ms", "--timeout", "20s");
            assertEquals(0, ping.exitCode(), ping.dump());
            assertEquals("false", field(ping.events("established").get(0), "downgraded"));
            assertEquals("false", field(listener.out.await(l -> l.contains("\"event\":\"session\""), 30, "the session event"), "downgraded"));
            listener.stop();
            assertTrue(listener.events("refused").isEmpty(), listener.dump());
        } finally {
            PlanetaryProcess.killAll();
        }
    }
}
