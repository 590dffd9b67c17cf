package dev.planetary.cli;

import static dev.planetary.cli.PlanetaryProcess.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.store.PeerRecord;
import dev.planetary.store.postgres.testing.PostgresFixture;
import dev.planetary.store.postgres.PostgresRatchetStore;
import dev.planetary.store.sqlite.SqliteRatchetStore;
import dev.planetary.zssp.StaticPublicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two responder JVMs sharing ONE static key and ONE PostgreSQL store ({@code --store-url}), in
 * persistent mode (so a Hello whose ratchet the shared store does not recognise would be dropped):
 * an initiator pings the first, which is then stopped, and then the second; its ratchet chain
 * continues across them — no downgrade, the chain grows, and the second responder found the
 * initiator's ratchet by fingerprint in the store the first one wrote.
 *
 * <p>Uses {@link PostgresFixture} (a throw-away cluster; {@code -Dplanetary.skipPostgres=true}
 * skips, {@code -Dplanetary.postgresUrl=…} uses an existing database).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SharedPostgresStoreIT {
    @TempDir
    Path dir;

    @BeforeAll
    static void onlyInTheIntegrationTestPhase() {
        PlanetaryProcess.assumeJar();
    }

    @Test
    void twoRespondersShareOneKeyAndOneStore() throws Exception {
        PostgresFixture pg = PostgresFixture.get();
        String url = withUser(pg);
        PlanetaryProcess.keygen(dir, "server", "client");
        StaticPublicKey server = StaticPublicKey.fromHex(Files.readString(dir.resolve("server.pub")).strip());
        StaticPublicKey client = StaticPublicKey.fromHex(Files.readString(dir.resolve("client.pub")).strip());
        byte[] otp = new byte[32];
        new SecureRandom().nextBytes(otp);
        String otpHex = HexFormat.of().formatHex(otp);
        PlanetaryProcess ps = PlanetaryProcess.run(dir, 60, "provision", "--key", "server.key", "--peer", "client.pub", "--otp", otpHex,
                "--store-url", url, "--json");
        assertEquals(0, ps.exitCode(), ps.dump());
        assertFalse(ps.out.text().contains("password"), ps.out.text());
        // The test cluster runs without TLS: the CLI says so, and names the fix.
        assertTrue(ps.events("warning").stream().anyMatch(l -> l.contains("is not encrypted") && l.contains("sslmode=verify-full")), ps.dump());
        PlanetaryProcess pc = PlanetaryProcess.run(dir, 60, "provision", "--key", "client.key", "--peer", "server.pub", "--otp", otpHex,
                "--state", "client-state", "--json");
        assertEquals(0, pc.exitCode(), pc.dump());

        List<PlanetaryProcess> responders = new ArrayList<>();
        try {
            // Both responders run at the same time, with the same key and the same store.
            for (String name : List.of("responder-1", "responder-2")) {
                PlanetaryProcess r = PlanetaryProcess.start(name, dir, List.of("listen", "--json", "--bind", "127.0.0.1:0", "--key", "server.key",
                        "--echo", "--allow-any", "--store-url", url, "--require-ratchet", "--disallow-downgrade", "--silent-reject", "--rekey-after", "400ms"));
                responders.add(r);
                String listening = r.out.await(l -> l.contains("\"event\":\"listening\""), 90, name + "'s listening event");
                assertEquals("persistent", field(listening, "mode"));
                assertTrue(field(listening, "store").startsWith("PostgresRatchetStore["), listening);
            }
            PlanetaryProcess first = responders.get(0);
            PlanetaryProcess second = responders.get(1);
            String firstAddress = field(first.events("listening").get(0), "address");
            String secondAddress = field(second.events("listening").get(0), "address");

            long chainStart = chain(url, client);
            assertEquals(1, chainStart, "the OTP state has chain length 1");

            PlanetaryProcess ping1 = ping(firstAddress);
            long chainAfterFirst = chain(url, client);
            assertTrue(chainAfterFirst > chainStart, "the chain grows with the first responder: " + chainAfterFirst);
            assertFalse(first.events("session").isEmpty(), first.dump());
            assertTrue(second.events("session").isEmpty(), "the second responder has not seen the initiator yet\n" + second.dump());
            // Both sides hold the same chain (a rekey cut short by the end of the ping may leave them one apart).
            assertTrue(Math.abs(chainAfterFirst - clientChain(server)) <= 1, chainAfterFirst + " vs " + clientChain(server));

            first.stop();

            PlanetaryProcess ping2 = ping(secondAddress);
            long chainAfterSecond = chain(url, client);
            assertTrue(chainAfterSecond > chainAfterFirst, "the chain continues with the second responder: " + chainAfterFirst + " -> " + chainAfterSecond);
            assertTrue(Math.abs(chainAfterSecond - clientChain(server)) <= 1, chainAfterSecond + " vs " + clientChain(server));
            String session = second.events("session").get(0);
            assertEquals("false", field(session, "downgraded"), session);
            for (PlanetaryProcess p : List.of(ping1, ping2, first, second)) {
                assertFalse(p.out.text().contains("\"event\":\"downgraded\""), p.dump());
                assertFalse(p.out.text().contains("\"downgraded\":true"), p.dump());
                assertFalse(p.out.text().contains("\"event\":\"refused\""), p.dump());
            }
            second.stop();
            System.out.println("shared PostgreSQL store: chain " + chainStart + " (OTP) -> " + chainAfterFirst + " (responder 1, "
                    + first.events("rekey").size() + " rekeys) -> " + chainAfterSecond + " (responder 2, " + second.events("rekey").size()
                    + " rekeys); no downgrade");
        } finally {
            PlanetaryProcess.killAll();
        }
    }

    /** Pings {@code address} in persistent mode (initiator side) with rekeys, expecting every echo. */
    private PlanetaryProcess ping(String address) throws Exception {
        PlanetaryProcess p = PlanetaryProcess.run(dir, 120, "ping", address, "--json", "--key", "client.key", "--peer", "server.pub",
                "--state", "client-state", "--disallow-downgrade", "--count", "20", "--interval", "100ms", "--rekey-after", "300ms",
                "--timeout", "20s");
        assertEquals(0, p.exitCode(), p.dump());
        String summary = p.events("summary").get(0);
        assertEquals("false", field(summary, "downgraded"), summary);
        assertEquals("20", field(summary, "received"), summary);
        return p;
    }

    /** The chain length of the shared store's state1 for {@code peer}, read through a separate connection. */
    private static long chain(String url, StaticPublicKey peer) throws Exception {
        try (PostgresRatchetStore s = PostgresRatchetStore.open(url)) {
            return s.peers().stream().filter(r -> r.peer().equals(peer)).mapToLong(PeerRecord::chainLength1).findFirst().orElse(0);
        }
    }

    private long clientChain(StaticPublicKey server) throws Exception {
        try (var files = Files.list(dir.resolve("client-state"))) {
            Path db = files.filter(f -> f.getFileName().toString().endsWith(".db")).findFirst().orElseThrow();
            try (SqliteRatchetStore s = SqliteRatchetStore.open(db)) {
                return s.peers().stream().filter(r -> r.peer().equals(server)).mapToLong(PeerRecord::chainLength1).findFirst().orElse(0);
            }
        }
    }

    /** The fixture's URL with its user (and password, if any) as URL parameters, as a user would pass it to --store-url. */
    private static String withUser(PostgresFixture pg) {
        StringBuilder url = new StringBuilder(pg.url);
        char sep = pg.url.contains("?") ? '&' : '?';
        for (String k : List.of("user", "password")) {
            String v = pg.properties.getProperty(k);
            if (v != null) {
                url.append(sep).append(k).append('=').append(java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return url.toString();
    }
}
