package dev.planetary.cli;

import static dev.planetary.cli.NetnsTestbed.A;
import static dev.planetary.cli.NetnsTestbed.CTL;
import static dev.planetary.cli.NetnsTestbed.NAT_A;
import static dev.planetary.cli.NetnsTestbed.NAT_B;
import static dev.planetary.cli.NetnsTestbed.ROOT;
import static dev.planetary.cli.PlanetaryProcess.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.cli.NetnsTestbed.Proc;
import dev.planetary.cli.NetnsTestbed.Variant;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code planetary} processes across real NATs (spec VL §16.3, docs/testbed.md): Linux
 * network namespaces with iptables MASQUERADE, cone and symmetric ({@code --random-fully}). Needs
 * root; without it the tests fail with a message, or are skipped with {@code -Dplanetary.netns=skip}.
 */
@Tag("netns")
class NatTestbedIT {
    private static final int LISTEN_PORT = 4000;
    private static final int PING_PORT = 5555;
    private static final int REFLECT_PORT = 7000;

    @TempDir
    Path dir;

    @BeforeAll
    static void jar() {
        PlanetaryProcess.assumeJar();
    }

    // --- (1), (2): ping from behind a NAT to a listener on the root's public address -------------

    @Test
    void pingFromBehindConeNatReachesRootAndListenerSeesNatPublicAddress() throws Exception {
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.CONE)) {
            String remote = pingThroughNat(bed);
            // MASQUERADE keeps a free source port: the cone mapping is 10.0.1.2:5555 -> 203.0.113.20:5555
            assertEquals(NAT_A + ":" + PING_PORT, remote);
        }
    }

    @Test
    void pingFromBehindSymmetricNatReachesRootAndListenerSeesNatPublicAddress() throws Exception {
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.SYMMETRIC_A)) {
            String remote = pingThroughNat(bed);
            assertTrue(remote.startsWith(NAT_A + ":"), remote);
        }
    }

    /** Listener on plt-root, 3 pings from plt-a; returns the source address the listener saw. */
    private String pingThroughNat(NetnsTestbed bed) throws Exception {
        keys();
        Proc listener = listen(bed);
        Proc ping = bed.start("a", dir, "ping", ROOT + ":" + LISTEN_PORT, "--key", "client.key", "--peer", "server.pub",
                "--count", "3", "--interval", "200ms", "--bind", A + ":" + PING_PORT, "--json");
        assertEquals(0, ping.waitFor(90), ping.dump());
        String summary = ping.events("summary").getFirst();
        assertEquals("3", field(summary, "received"), summary);
        String session = listener.out.await(l -> l.contains("\"event\":\"session\""), 10, "the listener's session event");
        return field(session, "remote");
    }

    // --- (3): NAT behaviour characterisation ---------------------------------------------------

    @Test
    void coneNatKeepsOneExternalPortForEveryDestinationAndDropsUnsolicitedInbound() throws Exception {
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.CONE)) {
            Mapping m = characterise(bed);
            assertEquals(m.towardRoot, m.towardCtl, "a cone NAT maps one local port to one external port");
            assertEquals(NAT_A + ":" + PING_PORT, m.towardRoot);
        }
    }

    @Test
    void symmetricNatMapsEachDestinationToItsOwnPortAndDropsUnsolicitedInbound() throws Exception {
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.SYMMETRIC_A)) {
            Mapping m = characterise(bed);
            assertTrue(m.towardRoot.startsWith(NAT_A + ":") && m.towardCtl.startsWith(NAT_A + ":"), m.toString());
            assertNotEquals(m.towardRoot, m.towardCtl, "--random-fully maps each destination to its own external port");
        }
    }

    record Mapping(String towardRoot, String towardCtl) {}

    /**
     * From one local port of plt-a, asks reflectors on plt-root and plt-ctl which source they see;
     * then plt-ctl sends to the mapping made toward plt-root, which must not reach plt-a: the
     * NAT's INPUT rule drops it as a NEW inbound flow (its packet counter proves which rule).
     */
    private Mapping characterise(NetnsTestbed bed) throws Exception {
        Proc rootReflector = bed.startJava("root", dir, NatProbe.class, "reflect", String.valueOf(REFLECT_PORT));
        Proc ctlReflector = bed.startJava("ctl", dir, NatProbe.class, "reflect", String.valueOf(REFLECT_PORT));
        rootReflector.out.await("ready"::equals, 30, "the reflector on plt-root");
        ctlReflector.out.await("ready"::equals, 30, "the reflector on plt-ctl");
        String rootDest = ROOT + ":" + REFLECT_PORT;
        String ctlDest = CTL + ":" + REFLECT_PORT;
        Proc probe = bed.startJava("a", dir, NatProbe.class, "probe", String.valueOf(PING_PORT), rootDest, ctlDest);
        String towardRoot = mapped(probe, rootDest);
        String towardCtl = mapped(probe, ctlDest);
        long dropsBefore = inputDrops(bed);
        Proc intruder = bed.startJava("ctl", dir, NatProbe.class, "send", towardRoot);
        assertEquals(0, intruder.waitFor(30), intruder.dump());
        long dropsAfter = inputDrops(bed);
        Thread.sleep(300); // anything that got through has arrived by now
        probe.send("end");
        probe.out.await("done"::equals, 10, "the probe's end");
        List<String> unsolicited = probe.out.lines.stream().filter(l -> l.startsWith("unsolicited")).toList();
        assertEquals(List.of(), unsolicited, "unsolicited inbound from plt-ctl reached plt-a through " + towardRoot);
        assertTrue(dropsAfter >= dropsBefore + 3, "the NAT's INPUT NEW DROP rule dropped the 3 datagrams: " + dropsBefore + " -> " + dropsAfter);
        return new Mapping(towardRoot, towardCtl);
    }

    private static String mapped(Proc probe, String dest) throws InterruptedException {
        String line = probe.out.await(l -> l.startsWith("mapped " + dest + " "), 30, "the mapping toward " + dest);
        String observed = line.substring(("mapped " + dest + " ").length());
        assertNotEquals("none", observed, "no answer from the reflector at " + dest + "\n" + probe.dump());
        return observed;
    }

    /** Packets counted by plt-nata's {@code INPUT -i wan0 --ctstate NEW -j DROP} rule. */
    private static long inputDrops(NetnsTestbed bed) throws Exception {
        String out = bed.check("nata", "iptables", "-L", "INPUT", "-v", "-n", "-x");
        for (String line : out.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 2 && line.contains("DROP") && line.contains("wan0")) return Long.parseLong(f[0]);
        }
        throw new AssertionError("no INPUT DROP rule on wan0 in plt-nata:\n" + out);
    }

    /**
     * The pitfall the INPUT rule exists for (docs/testbed.md): after a rebind (the mapping
     * flushed), a packet from the peer to the old mapping arrives before the member sends again.
     * With the rule it is dropped and the member gets its port back; without it the packet becomes
     * a flow to the NAT itself that holds the port, and the cone NAT remaps: it behaves symmetric.
     */
    @Test
    void withoutTheInputDropRuleAnEarlyInboundPacketAfterARebindMakesTheConeNatRemap() throws Exception {
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.CONE)) {
            assertEquals(NAT_A + ":" + PING_PORT, mappingAfterRebindWithEarlyInbound(bed), "with the rule the cone NAT keeps the port");
            bed.check("nata", "iptables", "-D", "INPUT", "-i", "wan0", "-m", "conntrack", "--ctstate", "NEW", "-j", "DROP");
            String without = mappingAfterRebindWithEarlyInbound(bed);
            assertTrue(without.startsWith(NAT_A + ":"), without);
            assertNotEquals(NAT_A + ":" + PING_PORT, without, "without the INPUT rule the early packet took the port");
        }
    }

    /** plt-a maps toward plt-root; conntrack -F; plt-root sends to the old mapping; plt-a asks again: the new mapping. */
    private String mappingAfterRebindWithEarlyInbound(NetnsTestbed bed) throws Exception {
        Proc reflector = bed.startJava("root", dir, NatProbe.class, "reflect", String.valueOf(REFLECT_PORT));
        reflector.out.await("ready"::equals, 30, "the reflector on plt-root");
        String rootDest = ROOT + ":" + REFLECT_PORT;
        Proc probe = bed.startJava("a", dir, NatProbe.class, "probe", String.valueOf(PING_PORT), rootDest);
        String first = mapped(probe, rootDest);
        assertEquals(NAT_A + ":" + PING_PORT, first);
        bed.check("nata", "conntrack", "-F");
        reflector.send("send " + first);
        reflector.out.await("sent"::equals, 10, "the reflector's early packet");
        Thread.sleep(200); // it has reached the NAT
        probe.send("again");
        String line = probe.out.await(l -> l.startsWith("remapped " + rootDest + " "), 30, "the new mapping");
        probe.send("end");
        probe.waitFor(10);
        reflector.process.destroyForcibly();
        reflector.waitFor(10);
        return line.substring(("remapped " + rootDest + " ").length());
    }

    // --- (4): rebinding: conntrack -F in the NAT during a long ping ----------------------------

    @Test
    void longPingRecoversAfterConntrackFlushInConeNat() throws Exception {
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.CONE)) {
            Rebind r = flushDuringLongPing(bed);
            // the freed port is taken again: same external address, the session never noticed
            assertEquals(r.before, r.after);
            assertEquals(1, r.sessions, "no new handshake");
            System.out.println("NAT test bed: cone NAT, conntrack -F: echo gap across the flush " + r.gapMs + " ms, address kept " + r.after
                    + ", probe resends " + r.resends);
        }
    }

    @Test
    void longPingFollowsNewMappingAfterConntrackFlushInSymmetricNat() throws Exception {
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.SYMMETRIC_A)) {
            Rebind r = flushDuringLongPing(bed);
            assertNotEquals(r.before, r.after, "--random-fully picks a new external port after the flush");
            assertTrue(r.after.startsWith(NAT_A + ":"), r.after);
            assertEquals(1, r.sessions, "the listener's session follows the client to its new address (moved), no new handshake");
            System.out.println("NAT test bed: symmetric NAT, conntrack -F: echo gap across the flush " + r.gapMs + " ms, moved "
                    + r.before + " -> " + r.after + ", probe resends " + r.resends);
        }
    }

    record Rebind(String before, String after, int sessions, long gapMs, String resends) {}

    /**
     * {@code ping --count 0 --reconnect} from plt-a to plt-root; after a few echoes the NAT's
     * conntrack table is flushed (the mapping is gone, echoes in flight are dropped as NEW inbound).
     * Returns the listener's view of the client address before and after, and the gap between the
     * last echo before the flush and the first one after it (the interval is 100 ms).
     */
    private Rebind flushDuringLongPing(NetnsTestbed bed) throws Exception {
        keys();
        Proc listener = listen(bed);
        Proc ping = bed.start("a", dir, "ping", ROOT + ":" + LISTEN_PORT, "--key", "client.key", "--peer", "server.pub",
                "--count", "0", "--reconnect", "--interval", "100ms", "--probe-timeout", "300ms", "--bind", A + ":" + PING_PORT, "--json");
        awaitProbes(ping, 5);
        String before = field(listener.out.await(l -> l.contains("\"event\":\"session\""), 10, "the session event"), "remote");
        Instant flushed = Instant.now();
        bed.check("nata", "conntrack", "-F");
        int probesAfterFlush = ping.events("probe").size();
        awaitProbes(ping, probesAfterFlush + 5); // it keeps going
        String after = before;
        List<String> moved = listener.events("moved");
        if (!moved.isEmpty()) after = field(moved.getLast(), "remote");
        List<String> sessions = listener.events("session");
        if (sessions.size() > 1) after = field(sessions.getLast(), "remote"); // a reconnect would be a recovery too
        ping.stop();
        listener.stop();
        // echo times as the ping stamped them (same host clock as ours)
        List<Instant> echoes = ping.events("probe").stream().map(e -> Instant.parse(field(e, "ts"))).toList();
        Instant last = echoes.stream().filter(t -> !t.isAfter(flushed)).reduce((x, y) -> y).orElseThrow();
        Instant next = echoes.stream().filter(t -> t.isAfter(flushed)).findFirst().orElseThrow();
        List<String> summary = ping.events("summary");
        assertEquals(1, summary.size(), "ping prints its summary on SIGTERM\n" + ping.dump());
        String resends = field(summary.getFirst(), "resends");
        return new Rebind(before, after, sessions.size(), Duration.between(last, next).toMillis(), resends);
    }

    private static void awaitProbes(Proc ping, int n) throws InterruptedException {
        ping.out.await(l -> ping.events("probe").size() >= n, 30, n + " echoes");
    }

    // --- the other §16.3 variants come up and route as drawn ------------------------------------

    @Test
    void oneNatVariantPutsBothMembersBehindPltNata() throws Exception {
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.ONE_NAT)) {
            assertEquals(NAT_A, observedHost(bed, "b"));
            assertEquals(NAT_A, observedHost(bed, "a"));
            // members behind one NAT reach each other on the LAN, without the NAT
            bed.check("a", "ping", "-c", "1", "-W", "5", "10.0.1.3");
        }
    }

    @Test
    void publicBVariantPutsPltBOnTheBridge() throws Exception {
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.PUBLIC_B)) {
            assertEquals(NAT_B, observedHost(bed, "b"));
            assertEquals(NAT_A, observedHost(bed, "a"));
        }
    }

    /** The source host a reflector on plt-root sees for a datagram from namespace {@code ns}. */
    private String observedHost(NetnsTestbed bed, String ns) throws Exception {
        Proc reflector = bed.startJava("root", dir, NatProbe.class, "reflect", String.valueOf(REFLECT_PORT));
        reflector.out.await("ready"::equals, 30, "the reflector on plt-root");
        Proc probe = bed.startJava(ns, dir, NatProbe.class, "probe", String.valueOf(PING_PORT), ROOT + ":" + REFLECT_PORT);
        String observed = mapped(probe, ROOT + ":" + REFLECT_PORT);
        probe.send("end");
        reflector.process.destroyForcibly();
        reflector.waitFor(10);
        Matcher m = Pattern.compile("(.*):\\d+").matcher(observed);
        assertTrue(m.matches(), observed);
        return m.group(1);
    }

    // --- lifecycle and isolation ----------------------------------------------------------------

    @Test
    void upRemovesLeftoversAndNothingRoutesOutOfTheBed() throws Exception {
        NetnsTestbed.requireAvailable();
        // a leftover of an earlier, killed run: plt-root with a link the bed never makes
        assertEquals(0, new ProcessBuilder("ip", "netns", "add", "plt-root").inheritIO().start().waitFor());
        assertEquals(0, new ProcessBuilder("ip", "netns", "exec", "plt-root", "ip", "link", "add", "stale0", "type", "veth", "peer", "name", "stale1").inheritIO().start().waitFor());
        try (NetnsTestbed bed = NetnsTestbed.up(Variant.CONE)) {
            assertEquals(List.of("plt-a", "plt-b", "plt-ctl", "plt-nata", "plt-natb", "plt-root", "plt-wan"), pltNamespaces());
            assertFalse(bed.check("root", "ip", "-o", "link", "show").contains("stale0"), "the leftover plt-root was replaced");
            // no default route but the members' (to their NAT): nothing leaves 203.0.113.0/24 and the LANs
            for (String ns : List.of("nata", "natb", "root", "ctl", "wan")) {
                assertEquals("", bed.check(ns, "ip", "-4", "route", "show", "default").strip(), "plt-" + ns + " has a default route");
            }
            assertTrue(bed.check("a", "ip", "-4", "route", "show", "default").startsWith("default via 10.0.1.1 dev eth0"));
            assertTrue(bed.check("b", "ip", "-4", "route", "show", "default").startsWith("default via 10.0.2.1 dev eth0"));
            // and no link of the bed lives in the host's namespace
            assertTrue(NetnsTestbed.run(List.of("ip", "-o", "link", "show"), 30).output().lines().noneMatch(l -> l.contains(" plt-")
                    || l.contains(" br0:") || l.contains(" wan0") || l.contains(" lan0")));
        }
        assertEquals(List.of(), pltNamespaces(), "close() took the bed down");
    }

    private static List<String> pltNamespaces() throws Exception {
        return NetnsTestbed.run(List.of("ip", "netns", "list"), 30).output().lines()
                .map(l -> l.split(" ")[0]).filter(n -> n.startsWith("plt-") && !n.startsWith("plt-nic-")).sorted().toList();
    }

    // --- helpers --------------------------------------------------------------------------------

    private void keys() throws Exception {
        PlanetaryProcess.keygen(dir, "server", "client");
    }

    private Proc listen(NetnsTestbed bed) throws InterruptedException, java.io.IOException {
        Proc listener = bed.start("root", dir, "listen", "--bind", ROOT + ":" + LISTEN_PORT, "--key", "server.key",
                "--allow", "client.pub", "--echo", "--json");
        listener.out.await(l -> l.contains("\"event\":\"listening\""), 60, "the listener on plt-root");
        return listener;
    }
}
