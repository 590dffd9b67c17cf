package dev.planetary.cli;

import static dev.planetary.cli.PlanetaryProcess.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.PeerRecord;
import dev.planetary.store.RatchetStores;
import dev.planetary.store.sqlite.SqliteRatchetStore;
import dev.planetary.zssp.StaticPublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box: what the CLI keeps on disk and who may read it. Unprotected key files and symbolic
 * links in the state directory are refused; refused peers leave no ratchet row; old rows are pruned.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class FileHygieneIT {
    @TempDir
    Path dir;

    @BeforeAll
    static void onlyInTheIntegrationTestPhase() {
        PlanetaryProcess.assumeJar();
    }

    @AfterEach
    void killAll() {
        PlanetaryProcess.killAll();
    }

    private void keygen(String... names) throws Exception {
        for (String n : names) assertEquals(0, PlanetaryProcess.run(dir, 60, "keygen", n).exitCode());
    }

    private List<StaticPublicKey> storedPeers(Path stateDir, String key) throws Exception {
        StaticPublicKey local = KeyFiles.readPublic(dir.resolve(key + ".pub"));
        try (SqliteRatchetStore s = SqliteRatchetStore.open(stateDir.resolve(RatchetStores.defaultFileName(local)))) {
            return s.peers().stream().map(PeerRecord::peer).toList();
        }
    }

    @Test
    void privateKeyReadableByOthersIsRefused() throws Exception {
        keygen("server");
        Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-r--r--"));
        for (List<String> args : List.of(List.of("listen", "--bind", "127.0.0.1:0", "--key", "server.key", "--no-state", "--allow-any"),
                List.of("pubkey", "server.key"))) {
            PlanetaryProcess p = PlanetaryProcess.run(dir, 60, args.toArray(String[]::new));
            assertEquals(2, p.exitCode(), p.dump());
            assertTrue(p.err.text().contains("UNPROTECTED PRIVATE KEY FILE: server.key is accessible by group or others (mode 0644)")
                    && p.err.text().contains("chmod 600 server.key"), p.dump());
        }
        Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        assertEquals(0, PlanetaryProcess.run(dir, 60, "pubkey", "server.key").exitCode());
    }

    @Test
    void symbolicLinksInTheStateAreNotFollowed() throws Exception {
        keygen("server", "client");
        // --state pointing at a link to a directory
        Files.createDirectory(dir.resolve("real"));
        Files.createSymbolicLink(dir.resolve("link"), dir.resolve("real"));
        PlanetaryProcess ping = PlanetaryProcess.run(dir, 60, "ping", "127.0.0.1:9", "--key", "client.key", "--peer", "server.pub",
                "--state", "link", "--timeout", "200ms");
        assertEquals(1, ping.exitCode(), ping.dump());
        assertTrue(ping.err.text().contains("symbolic link"), ping.dump());
        try (var files = Files.list(dir.resolve("real"))) {
            assertEquals(0, files.count(), "nothing created through the link");
        }
        // provision: a link planted at the database's name, to a world-readable file
        Path state = Files.createDirectory(dir.resolve("s"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path world = dir.resolve("world-readable.db");
        Files.createFile(world);
        Files.setPosixFilePermissions(world, PosixFilePermissions.fromString("rw-r--r--"));
        StaticPublicKey server = KeyFiles.readPublic(dir.resolve("server.pub"));
        Files.createSymbolicLink(state.resolve(RatchetStores.defaultFileName(server)), world);
        PlanetaryProcess prov = PlanetaryProcess.run(dir, 60, "provision", "--key", "server.key", "--peer", "client.pub", "--state", "s");
        assertEquals(1, prov.exitCode(), prov.dump());
        assertTrue(prov.err.text().contains("symbolic link") && prov.err.text().contains("refusing to follow"), prov.dump());
        assertEquals(0, Files.size(world), "no ratchet key written through the link");
        assertTrue(prov.out.text().isEmpty(), "no OTP printed for a refused provisioning: " + prov.dump());
    }

    /** An allow-listed listener refuses a stranger: the stranger leaves no row; the allowed client does, and --prune-after forgets it. */
    @Test
    void refusedPeersLeaveNoRowAndOldRowsArePruned() throws Exception {
        keygen("server", "client", "stranger");
        PlanetaryProcess listener = PlanetaryProcess.start("listener", dir, List.of("listen", "--json", "--bind", "127.0.0.1:0",
                "--key", "server.key", "--echo", "--state", "ls", "--allow", "client.pub"));
        String address = field(listener.out.await(l -> l.contains("\"event\":\"listening\""), 90, "the listening event"), "address");
        for (int i = 0; i < 3; i++) {
            PlanetaryProcess stranger = PlanetaryProcess.run(dir, 60, "ping", address, "--key", "stranger.key", "--peer", "server.pub",
                    "--no-state", "--count", "1", "--timeout", "5s");
            assertEquals(1, stranger.exitCode(), stranger.dump());
        }
        PlanetaryProcess ping = PlanetaryProcess.run(dir, 60, "ping", address, "--key", "client.key", "--peer", "server.pub",
                "--no-state", "--count", "1", "--timeout", "20s");
        assertEquals(0, ping.exitCode(), ping.dump());
        listener.stop();
        assertTrue(listener.events("refused").size() >= 3, listener.dump());
        assertEquals(List.of(KeyFiles.readPublic(dir.resolve("client.pub"))), storedPeers(dir.resolve("ls"), "server"),
                "only the accepted peer has a row");

        Thread.sleep(1500);
        PlanetaryProcess again = PlanetaryProcess.start("listener2", dir, List.of("listen", "--json", "--bind", "127.0.0.1:0",
                "--key", "server.key", "--allow", "client.pub", "--state", "ls", "--prune-after", "1s"));
        String pruned = again.out.await(l -> l.contains("\"event\":\"pruned\""), 90, "the pruned event");
        assertEquals("1", field(pruned, "peers"));
        again.stop();
        assertEquals(List.of(), storedPeers(dir.resolve("ls"), "server"));

        PlanetaryProcess bad = PlanetaryProcess.run(dir, 60, "listen", "--bind", "127.0.0.1:0", "--key", "server.key", "--state", "ls",
                "--allow-any", "--prune-after", "soon");
        assertEquals(2, bad.exitCode(), bad.dump());
    }
}
