package dev.planetary.cli;

import dev.planetary.transport.Counters;
import dev.planetary.transport.Endpoint;
import dev.planetary.transport.EndpointEvent;
import dev.planetary.transport.EndpointListener;
import dev.planetary.transport.PeerSession;
import dev.planetary.zssp.RatchetStore;
import dev.planetary.zssp.Settings;
import dev.planetary.zssp.StaticKeyPair;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Shows ZSSP and VL1 working on loopback in this process, without privileges or set-up.",
                "ZSSP: two endpoints; handshake, data both ways, a forced rekey (short rekey timer), a challenge round and",
                "a reconnect on the stored ratchet. Planet: one root set of 2 roots and 2 members; the members come online,",
                "A resolves B by its address via WHOIS (two agreeing roots) and they exchange USER_MESSAGEs, first direct,",
                "then with direct traffic blocked, through RELAY via a root. VL2: a root, a controller (a minimal in-process",
                "issuer) and 2 members with userspace NICs; the members join a network with a token and ping each other",
                "across it, ARP and frames riding VL1 sessions. Each part ends with a timeline and figures.",
                "Uses a temporary state directory (SQLite) unless --state is given. Exits 0 on success."})
final class DemoCommand implements Callable<Integer> {
    private static final Duration STEP = Duration.ofSeconds(15);

    @Mixin
    CommonOptions common;

    private final long t0 = System.nanoTime();
    private final List<String> timeline = new ArrayList<>();
    private Output out;

    private void step(String event, String text, Object... kv) {
        double ms = (System.nanoTime() - t0) / 1e6;
        timeline.add(String.format(Locale.ROOT, "%8.1f ms  %s", ms, text));
        Object[] all = Arrays.copyOf(kv, kv.length + 4);
        all[kv.length] = "step";
        all[kv.length + 1] = text;
        all[kv.length + 2] = "atMs";
        all[kv.length + 3] = ms;
        out.event("demo." + event, common.verbose ? text : null, all);
    }

    @Override
    public Integer call() throws Exception {
        out = common.output(System.out, System.out);
        if (common.rekeyAfter == null) common.rekeyAfter = "1s";
        Settings settings = common.settings();
        int mtu = common.mtu();
        Path tmp = null;
        if (common.state == null && !common.noState) {
            tmp = Files.createTempDirectory("planetary-demo-");
            common.state = tmp;
        }
        StaticKeyPair alice = StaticKeyPair.generate();
        StaticKeyPair bob = StaticKeyPair.generate();
        RatchetStore aliceStore = null;
        RatchetStore bobStore = null;
        try {
            try {
                aliceStore = common.openStore(alice.publicKey(), out);
                bobStore = common.openStore(bob.publicKey(), out);
            } catch (CliError e) {
                if (tmp == null) throw e; // the user's --state: report it
                out.warn("SQLite is not available here (" + e.getMessage() + "); the demo keeps ratchets in memory");
                CommonOptions.closeStore(aliceStore);
                aliceStore = new dev.planetary.store.MemoryRatchetStore();
                bobStore = new dev.planetary.store.MemoryRatchetStore();
            }
            step("keys", "generated keys: alice " + Net.shortKey(alice.publicKey()) + ", bob " + Net.shortKey(bob.publicKey())
                    + "; ratchet stores: " + aliceStore.getClass().getSimpleName() + (tmp != null ? " in " + tmp : ""));
            int rc = run(alice, bob, aliceStore, bobStore, settings, mtu);
            if (rc != 0) return rc;
            PlanetDemo planet = new PlanetDemo(out);
            rc = planet.run(); // the endpoints are closed: the planet part runs alone
            return rc != 0 ? rc : new Vl2Demo(out, planet.identities()).run(); // its identities are reused (no second proof of work)
        } finally {
            CommonOptions.closeStore(aliceStore);
            CommonOptions.closeStore(bobStore);
            if (tmp != null) deleteTree(tmp);
        }
    }

    private int run(StaticKeyPair aliceKey, StaticKeyPair bobKey, RatchetStore aliceStore, RatchetStore bobStore, Settings settings, int mtu)
            throws Exception {
        EndpointListener bobListener = new EndpointListener() {
            @Override
            public void onData(PeerSession s, byte[] payload) {
                s.send(payload); // echo
            }

            @Override
            public void onEvent(EndpointEvent e) {
                switch (e.kind()) {
                    case NEW_SESSION, NEW_DOWNGRADED_SESSION -> step("bob.session", "bob accepted a session from alice"
                            + (e.kind() == EndpointEvent.Kind.NEW_DOWNGRADED_SESSION ? " (DOWNGRADED)" : ""));
                    case REKEYED -> step("bob.rekey", "bob: rekey completed");
                    case CHALLENGE_ISSUED -> step("bob.challenge", "bob answered alice's Hello with a challenge");
                    default -> { }
                }
            }
        };
        EndpointListener aliceListener = new EndpointListener() {
            @Override
            public void onEvent(EndpointEvent e) {
                switch (e.kind()) {
                    case REKEYED -> step("alice.rekey", "alice: rekey completed");
                    case DOWNGRADED -> step("alice.downgraded", "alice: WARNING handshake fell back to the empty ratchet");
                    default -> { }
                }
            }
        };
        try (Endpoint bob = Net.build(Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(bobKey).store(bobStore)
                .settings(settings).mtu(mtu).listener(bobListener));
             Endpoint alice = Net.build(Endpoint.builder().bind(new InetSocketAddress("127.0.0.1", 0)).identity(aliceKey).store(aliceStore)
                .settings(settings).mtu(mtu).handshakeTimeout(common.handshakeTimeout()).listener(aliceListener))) {
            step("listening", "bob listening on " + Endpoint.format(bob.localAddress()) + ", alice on " + Endpoint.format(alice.localAddress()));

            // 1. Handshake.
            PeerSession s = Net.connect(alice, bob.publicKey(), bob.localAddress(), "alice@demo".getBytes(StandardCharsets.UTF_8), common.handshakeTimeout());
            double handshake1 = s.handshakeMillis();
            step("established", String.format(Locale.ROOT, "alice established a session with bob: handshake %.1f ms (P-384 + Kyber1024, Noise XK)", handshake1),
                    "handshakeMs", handshake1);

            // 2. Data both ways.
            List<Double> rtts = new ArrayList<>();
            for (int i = 0; i < 20; i++) rtts.add(echo(s, ("probe " + i + " ").repeat(1 + i * 20).getBytes(StandardCharsets.UTF_8)));
            byte[] big = PingCommand.probe(99, s.maxPayload());
            double bigRtt = echo(s, big);
            step("data", String.format(Locale.ROOT, "alice → bob → alice: 20 payloads echoed (rtt avg %.3f ms) and one of %d bytes (48 fragments, %.3f ms)",
                    rtts.stream().mapToDouble(d -> d).average().orElse(0), big.length, bigRtt));
            PeerSession atBob = bob.accept(STEP);
            if (atBob == null) throw new CliError(CliError.FAILED, "demo: bob never reported alice's session");
            atBob.send("hello alice, this is bob".getBytes(StandardCharsets.UTF_8));
            byte[] hello = s.receive(STEP);
            if (hello == null || !new String(hello, StandardCharsets.UTF_8).equals("hello alice, this is bob")) {
                throw new CliError(CliError.FAILED, "demo: bob's message did not reach alice");
            }
            step("data.back", "bob → alice: \"" + new String(hello, StandardCharsets.UTF_8) + "\" (identity alice presented: '"
                    + Net.identityText(atBob.identity()) + "')");

            // 3. Forced rekey: short rekey timer, traffic keeps flowing.
            long deadline = System.nanoTime() + STEP.toNanos();
            int i = 0;
            while (alice.counters().get(Counters.Counter.REKEYS) < 1 || bob.counters().get(Counters.Counter.REKEYS) < 1) {
                if (System.nanoTime() > deadline) throw new CliError(CliError.FAILED, "demo: no rekey within " + STEP.toSeconds() + " s");
                rtts.add(echo(s, ("during rekey " + i++).getBytes(StandardCharsets.UTF_8)));
                Thread.sleep(25);
            }
            step("rekeyed", "rekey done (timer " + settings.rekeyAfterTime() + " ms); " + i + " payloads echoed meanwhile");

            // 4. Challenge round: bob challenges Hellos; alice reconnects (the new session replaces the old one).
            bob.setChallengeEnabled(true);
            long challengesBefore = bob.counters().get(Counters.Counter.CHALLENGES_ISSUED);
            PeerSession s2 = Net.connect(alice, bob.publicKey(), bob.localAddress(), "alice@demo".getBytes(StandardCharsets.UTF_8), common.handshakeTimeout());
            bob.setChallengeEnabled(false);
            long challenges = bob.counters().get(Counters.Counter.CHALLENGES_ISSUED) - challengesBefore;
            if (challenges < 1) throw new CliError(CliError.FAILED, "demo: bob issued no challenge");
            double handshake2 = s2.handshakeMillis();
            rtts.add(echo(s2, "after the challenge".getBytes(StandardCharsets.UTF_8)));
            step("challenged", String.format(Locale.ROOT, "challenge round: alice solved %d challenge(s) and reconnected in %.1f ms%s",
                    challenges, handshake2, s2.wasDowngraded() ? " — DOWNGRADED" : " on the stored ratchet (no downgrade)"),
                    "handshakeMs", handshake2, "downgraded", s2.wasDowngraded());
            if (s2.wasDowngraded()) throw new CliError(CliError.FAILED, "demo: the reconnect was downgraded although both sides kept their ratchets");
            PeerSession s3 = Net.connect(alice, bob.publicKey(), bob.localAddress(), "alice@demo".getBytes(StandardCharsets.UTF_8), common.handshakeTimeout());
            double handshake3 = s3.handshakeMillis();
            rtts.add(echo(s3, "warm".getBytes(StandardCharsets.UTF_8)));
            step("reconnected", String.format(Locale.ROOT, "reconnect without challenge (warm JVM): handshake %.1f ms%s", handshake3,
                    s3.wasDowngraded() ? " — DOWNGRADED" : ""), "handshakeMs", handshake3, "downgraded", s3.wasDowngraded());
            long chain = s3.ratchetChainLength();

            // 5. Figures.
            Counters a = alice.counters();
            Counters b = bob.counters();
            double min = rtts.stream().mapToDouble(d -> d).min().orElse(0);
            double avg = rtts.stream().mapToDouble(d -> d).average().orElse(0);
            double max = rtts.stream().mapToDouble(d -> d).max().orElse(0);
            StringBuilder text = new StringBuilder();
            text.append("planetary demo — two ZSSP endpoints on loopback\n\ntimeline\n");
            for (String line : timeline) text.append(line).append('\n');
            text.append(String.format(Locale.ROOT, "%nfigures%n"
                            + "  handshake           %.1f ms (first, cold JVM), %.1f ms (warm), %.1f ms (with challenge: includes the 1 s Hello resend)%n"
                            + "  rtt                 min %.3f / avg %.3f / max %.3f ms over %d echoes%n"
                            + "  payload bytes       alice sent %d, received %d%n"
                            + "  wire bytes          alice sent %d in %d datagrams, received %d in %d%n"
                            + "  rekeys              alice %d, bob %d%n"
                            + "  challenges issued   %d%n"
                            + "  ratchet chain       %d%n"
                            + "  drops               alice %d, bob %d",
                    handshake1, handshake3, handshake2, min, avg, max, rtts.size(),
                    a.get(Counters.Counter.PAYLOAD_BYTES_OUT), a.get(Counters.Counter.PAYLOAD_BYTES_IN),
                    a.get(Counters.Counter.BYTES_OUT), a.get(Counters.Counter.PACKETS_OUT), a.get(Counters.Counter.BYTES_IN), a.get(Counters.Counter.PACKETS_IN),
                    a.get(Counters.Counter.REKEYS), b.get(Counters.Counter.REKEYS), b.get(Counters.Counter.CHALLENGES_ISSUED), chain,
                    a.totalDrops(), b.totalDrops()));
            out.eventBlock("demo.summary", text.toString(), "handshakeMs", handshake1, "challengedHandshakeMs", handshake2, "warmHandshakeMs", handshake3, "rttMinMs", min,
                    "rttAvgMs", avg, "rttMaxMs", max, "echoes", rtts.size(), "alice", a.snapshot(), "bob", b.snapshot(), "ok", true);
            return 0;
        }
    }

    /** Sends and waits for the identical echo; returns the RTT in ms. */
    private static double echo(PeerSession s, byte[] payload) throws InterruptedException {
        for (int attempt = 0; attempt < 3; attempt++) {
            long sent = System.nanoTime();
            s.send(payload);
            long deadline = sent + 2_000_000_000L;
            byte[] back;
            while ((back = s.receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) != null) {
                if (Arrays.equals(back, payload)) return (System.nanoTime() - sent) / 1e6;
                if (System.nanoTime() > deadline) break;
            }
        }
        throw new CliError(CliError.FAILED, "demo: no echo of a " + payload.length + "-byte payload after 3 attempts");
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
