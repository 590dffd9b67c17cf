package dev.planetary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.planetary.cli.DaemonFixture.Daemon;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's multicast demonstrations with real processes in network namespaces (VL.md §10, §16.4
 * E12, E18, §17 WP4): 20 members on one bridge, a root and {@code planetary controller}.
 *
 * <pre>
 *  pmc-core 10.88.0.2 (root :9993, controller :9994) ─┐
 *  pmc-m1 … pmc-m4 10.88.0.11 … 14 (5 members each) ──┴─ br0 in pmc-br, 10.88.0.0/24
 * </pre>
 *
 * Each {@code pmc-mK} runs one {@link MemberHost} JVM with five {@code planetary node --nic
 * userspace} daemons (20 JVMs would not start within the budget on 2 cores); the test drives each
 * member through its own local API socket: pings through its userspace NIC, its {@code /metrics}
 * counters. Two networks: {@code lab} (broadcast on, multicast limit 12) for the broadcast and
 * replicator demonstrations, {@code arp} for the first pings, so that its members' only N-peers
 * are the ones the pings made (§10.3: a GATHER goes to N-peers, members with that network's MC).
 *
 * <p>Ordered: E12 first pings with the controller up (exactly one GATHER to it each), first, so
 * that they find no VL1 session yet; a broadcast reaches exactly the limit, each member at most
 * once; with a replicator each sender emits one copy and everyone receives it; the controller
 * killed, E18 first pings answered by the common peer. Namespaces {@code pmc-*} are removed after the class, even after a failure (and by
 * {@code .ci/run} should a killed run leave any). Needs root; {@code -Dplanetary.netns=skip}
 * skips it explicitly.
 */
@Tag("netns")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MulticastNetnsIT {
    private static final int HOSTS = 4;
    private static final int PER_HOST = 5;
    private static final int MEMBERS = HOSTS * PER_HOST;
    private static final int LIMIT = 12;
    private static final String CORE = "10.88.0.2";
    private static final String BROADCAST = "10.147.17.255";
    private static final Pattern CONTROLLER_GATHERS = Pattern.compile("event=\"gather_(answered|authoritative|empty|rate_limited|not_member)\"[^}]*} ([0-9.eE+]+)");

    @TempDir
    static Path dir;

    private final List<Daemon> m = new ArrayList<>();
    private Daemon root, ctl;
    private String lab, arp;
    private final Map<Daemon, String> arpIp = new LinkedHashMap<>();
    private final List<Long> firstPingUp = new ArrayList<>(), firstPingDown = new ArrayList<>();
    /** Root, controller and member hosts, as started (the failure report's). */
    private final List<PlanetaryProcess> processes = new ArrayList<>();

    @RegisterExtension
    final FailureDump failureDump = new FailureDump(this::failureReport);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(MulticastNetnsIT::removeNamespaces, "pmc-namespaces-down"));
    }

    @BeforeAll
    void up() throws Exception {
        PlanetaryProcess.assumeJar();
        NetnsTestbed.requireAvailable();
        long t0 = System.nanoTime();
        removeNamespaces();
        StringBuilder sh = new StringBuilder("set -e\nip netns add pmc-br\nip -n pmc-br link add br0 type bridge\nip -n pmc-br link set br0 up\n");
        List<String> ends = new ArrayList<>(List.of("core:" + CORE));
        for (int h = 1; h <= HOSTS; h++) ends.add("m" + h + ":10.88.0." + (10 + h));
        for (String e : ends) {
            String n = e.substring(0, e.indexOf(':')), ip = e.substring(e.indexOf(':') + 1);
            sh.append("ip netns add pmc-").append(n).append('\n')
                    .append("ip link add pmc-").append(n).append(" netns pmc-br type veth peer name eth0 netns pmc-").append(n).append('\n')
                    .append("ip -n pmc-br link set pmc-").append(n).append(" master br0 up\n")
                    .append("ip -n pmc-").append(n).append(" addr add ").append(ip).append("/24 dev eth0\n")
                    .append("ip -n pmc-").append(n).append(" link set eth0 up\nip -n pmc-").append(n).append(" link set lo up\n");
        }
        NetnsTestbed.Result r = NetnsTestbed.run(List.of("bash", "-c", sh.toString()), 60);
        if (r.exit() != 0) fail("the pmc- namespaces could not be made (exit " + r.exit() + "):\n" + r.output());
        List<String> names = new ArrayList<>(List.of("root", "ctl"));
        for (int i = 0; i < MEMBERS; i++) names.add(String.format(Locale.ROOT, "m%02d", i));
        for (String n : names) fixtureIdentity(n);

        PlanetaryProcess r0 = DaemonFixture.launch(wrapper("core"), dir, "root", "root", 9993);
        processes.add(r0);
        root = DaemonFixture.ready(r0, dir.resolve("root"));
        Path rootset = DaemonFixture.rootSet(dir, List.of(root.home().resolve("identity.public") + "@" + CORE + "/9993"));
        PlanetaryProcess c = DaemonFixture.launch(wrapper("core"), dir, "controller", "ctl", 9994, "--rootset", rootset.toString());
        processes.add(c);
        List<PlanetaryProcess> hosts = new ArrayList<>();
        for (int h = 0; h < HOSTS; h++) {
            List<String> args = new ArrayList<>(List.of(rootset.toString(), "9993"));
            for (int i = 0; i < PER_HOST; i++) args.add(dir.resolve(String.format(Locale.ROOT, "m%02d", h * PER_HOST + i)).toString());
            hosts.add(PlanetaryProcess.startMain("host" + (h + 1), dir, wrapper("m" + (h + 1)), MemberHost.class, "-Xmx256m", args));
            processes.add(hosts.getLast());
        }
        ctl = DaemonFixture.ready(c, dir.resolve("ctl"));
        long tStarted = System.nanoTime();
        for (int h = 0; h < HOSTS; h++) {
            PlanetaryProcess p = hosts.get(h);
            for (int i = 0; i < PER_HOST; i++) {
                Path home = dir.resolve(String.format(Locale.ROOT, "m%02d", h * PER_HOST + i));
                String ready = p.out.await(l -> l.contains("\"event\":\"ready\"") && l.contains(home + "/planetary.sock"), 90, home + " ready");
                m.add(new Daemon(p, ready, home));
            }
        }
        long tReady = System.nanoTime();
        lab = createNetwork("lab", "{\"enableBroadcast\": true, \"multicastLimit\": " + LIMIT + "}");
        arp = createNetwork("arp", "{\"enableBroadcast\": true}");
        // online first (a root session), the controller too: a join whose WHOIS of the controller finds
        // no live root, or a root that does not know the controller yet, is only retried after the
        // negative WHOIS cache (30 s), which would measure that, not multicast (one CI run on a slow
        // machine: the members' WHOIS failed twice, the controller still registering with the root)
        long deadline = System.nanoTime() + 60_000_000_000L;
        List<Daemon> everyone = new ArrayList<>(m);
        everyone.add(ctl);
        for (Daemon d : everyone) {
            while (!d.online()) {
                if (System.nanoTime() > deadline) fail(d.home() + " not online within 60 s\n" + d.process().dump());
                Thread.sleep(100);
            }
        }
        for (Daemon d : m) {
            for (String nwid : List.of(lab, arp)) join(d, nwid);
        }
        for (Daemon d : m) {
            ControllerCliIT.awaitStatus(d, lab, "OK", 60);
            arpIp.put(d, Vl2PingIT.assigned(ControllerCliIT.awaitStatus(d, arp, "OK", 60), '.'));
        }
        long cpu = 0;
        for (PlanetaryProcess p : hosts) cpu += p.process.toHandle().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L);
        for (Daemon d : List.of(root, ctl)) cpu += d.process().process.toHandle().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(0L);
        System.out.printf(Locale.ROOT, "MulticastNetnsIT: CPU time of the root, controller and member JVMs at the end of the set-up: %d ms; load %s%n", cpu,
                java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip());
        System.out.printf(Locale.ROOT, "MulticastNetnsIT: set up in %d ms (namespaces, root and controller up after %d ms; %d members ready after %d ms)%n",
                (System.nanoTime() - t0) / 1_000_000, (tStarted - t0) / 1_000_000, MEMBERS, (tReady - t0) / 1_000_000);
    }

    /**
     * Gives daemon {@code name} its fixed test identity ({@link TestIdentities}, resources
     * it-identities/NAME): 22 Argon2id proofs of work would cost ~20 s of the 2 cores at every run.
     */
    private static void fixtureIdentity(String name) throws IOException {
        TestIdentities.lend(dir.resolve(name), name);
    }

    @AfterAll
    void down() {
        PlanetaryProcess.killAll();
        removeNamespaces();
    }

    /**
     * Joins {@code nwid} (POST /network/NWID). A 503 — the daemon's loop did not answer the API
     * within its 2 s, which a machine loaded by other builds caused once — is asked again, ≤ 10 s.
     */
    private static void join(Daemon d, String nwid) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        var r = d.post("/network/" + nwid, "{}");
        while (r.status() == 503 && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = d.post("/network/" + nwid, "{}");
        }
        assertEquals(200, r.status(), d.address() + " joining " + nwid + ": " + r.body());
    }

    /**
     * The failure report ({@link FailureDump}): the root's and the controller's counters (non-zero
     * {@code /metrics} lines: verifications refused, WHOIS answered, …) and status, each member's
     * online flag, WHOIS and network states, then every process's output (root and controller 300
     * lines, member hosts 80).
     */
    private String failureReport() {
        StringBuilder b = new StringBuilder();
        for (Daemon d : Arrays.asList(root, ctl)) {
            if (d == null) continue;
            b.append("=== ").append(d.home().getFileName()).append(' ').append(d.address()).append(": /status\n").append(quietly(() -> d.get("/status").toString()))
                    .append("\n=== its non-zero counters\n").append(quietly(() -> String.join("\n", nonZero(d.metrics())))).append('\n');
        }
        b.append("=== members: online, WHOIS and drop counters, networks\n");
        for (Daemon d : m) {
            b.append(d.address()).append(": ").append(quietly(() -> d.get("/status").path("online").asText() + " "
                    + nonZero(d.metrics()).stream().filter(l -> l.contains("whois") || l.contains("hello") || l.contains("rate_limited") || l.contains("lookup")).toList()
                    + " " + (lab == null ? "" : d.get("/network/" + lab).path("status").asText()) + " " + (arp == null ? "" : d.get("/network/" + arp).path("status").asText())))
                    .append('\n');
        }
        for (PlanetaryProcess p : processes) b.append(p.dump(p.name.startsWith("host") ? 80 : 300)).append('\n');
        return b.toString();
    }

    private static List<String> nonZero(String metrics) {
        return metrics.lines().filter(l -> !l.startsWith("#") && !l.endsWith(" 0.0") && !l.endsWith(" 0")).toList();
    }

    /** A part of the failure report: its text, or why it could not be had (a dead daemon). */
    private static String quietly(java.util.concurrent.Callable<String> part) {
        try {
            return part.call();
        } catch (Exception | AssertionError e) {
            return "(unavailable: " + e + ")";
        }
    }

    /** A public network of this controller with IPv4 10.147.17.0/24 assigned, plus {@code settings}; returns its id. */
    private String createNetwork(String name, String settings) throws Exception {
        String body = "{\"name\": \"" + name + "\", \"private\": false, \"v4AssignMode\": {\"zt\": true}, \"routes\": [{\"target\": \"10.147.17.0/24\"}],"
                + " \"ipAssignmentPools\": [{\"ipRangeStart\": \"10.147.17.1\", \"ipRangeEnd\": \"10.147.17.200\"}]}";
        var made = ctl.post("/controller/network", body);
        assertTrue(made.status() == 200 || made.status() == 201, made.body());
        String nwid = DaemonFixture.JSON.readTree(made.body()).path("id").asText();
        var set = ctl.post("/controller/network/" + nwid, settings);
        assertEquals(200, set.status(), set.body());
        return nwid;
    }

    // --- broadcast within the limit ----------------------------------------------------------------

    /**
     * A sender that knows fewer members than the limit sends to those and GATHERs (§10.4: the frame
     * is held only when it knows nobody): its first broadcast reaches at most the limit; once the
     * answers are in, every broadcast reaches exactly the limit. Nobody ever receives one twice.
     */
    @Test
    @Order(2)
    void aBroadcastReachesExactlyTheMulticastLimitAndNobodyTwice() throws Exception {
        String subscriptions = m.get(0).get("/network/" + lab).path("multicastSubscriptions").toString();
        assertTrue(subscriptions.contains("{\"adi\":0,\"mac\":\"ff:ff:ff:ff:ff:ff\"}") || subscriptions.contains("{\"mac\":\"ff:ff:ff:ff:ff:ff\",\"adi\":0}"),
                "the broadcast group is LIKEd: " + subscriptions);
        for (int s : new int[] {0, 6, 12, 18}) {
            Daemon sender = m.get(s);
            for (boolean warm : new boolean[] {false, true}) {
                long[] before = counters("vl2_multicast_frames_received");
                long sent = sender.dropCounter("vl2_multicast_frames_sent");
                broadcast(sender, lab);
                long[] delta = settle(before, () -> Math.max(1, sender.dropCounter("vl2_multicast_frames_sent") - sent));
                String who = (warm ? "broadcast" : "first broadcast") + " from m" + s + ": receptions per member " + Arrays.toString(delta);
                assertEquals(0, delta[s], who);
                for (long d : delta) assertTrue(d == 0 || d == 1, "a member received it twice: " + who);
                long total = Arrays.stream(delta).sum();
                assertEquals(total, sender.dropCounter("vl2_multicast_frames_sent") - sent, "copies sent = copies received: " + who);
                if (warm) assertEquals(LIMIT, total, "exactly the multicast limit: " + who);
                else assertTrue(total >= 1 && total <= LIMIT, "within the multicast limit: " + who);
                System.out.println("MulticastNetnsIT: " + who);
            }
        }
    }

    // --- a replicator -------------------------------------------------------------------------------

    @Test
    @Order(3)
    void withAReplicatorEachSenderEmitsOneCopyAndEveryMemberReceivesIt() throws Exception {
        int ri = MEMBERS - 1;
        Daemon r = m.get(ri);
        long[] revisions = new long[MEMBERS];
        for (int i = 0; i < MEMBERS; i++) revisions[i] = m.get(i).get("/network/" + lab).path("netconfRevision").asLong();
        long likes = r.dropCounter("vl2_multicast_likes_received");
        var set = ctl.post("/controller/network/" + lab + "/member/" + r.address(), "{\"multicastReplicator\": true}");
        assertEquals(200, set.status(), set.body());
        for (int i = 0; i < MEMBERS; i++) awaitRevisionAbove(m.get(i), revisions[i]);
        // each member LIKEs the new replicator at once (Multicaster.replicatorsChanged): wait for the 19 LIKEs
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (r.dropCounter("vl2_multicast_likes_received") - likes < MEMBERS - 1 && System.nanoTime() < deadline) Thread.sleep(200);
        for (int s : new int[] {1, 7, 13}) {
            Daemon sender = m.get(s);
            long[] before = counters("vl2_multicast_frames_received");
            long toReplicator = sender.dropCounter("vl2_multicast_frames_to_replicator"), sent = sender.dropCounter("vl2_multicast_frames_sent");
            long replicated = r.dropCounter("vl2_multicast_frames_replicated");
            broadcast(sender, lab);
            long[] delta = settle(before, () -> MEMBERS - 1);
            String who = "broadcast from m" + s + " through replicator m" + ri + ": receptions per member " + Arrays.toString(delta);
            assertEquals(1, sender.dropCounter("vl2_multicast_frames_to_replicator") - toReplicator, who);
            assertEquals(1, sender.dropCounter("vl2_multicast_frames_sent") - sent, "the sender emits one copy: " + who);
            for (int i = 0; i < MEMBERS; i++) assertEquals(i == s ? 0 : 1, delta[i], "m" + i + ": " + who + "\n" + multicastCounters(r));
            assertEquals(MEMBERS - 2, r.dropCounter("vl2_multicast_frames_replicated") - replicated, who);
            System.out.println("MulticastNetnsIT: " + who);
        }
    }

    // --- E12 and E18: the first ping to a new IP ----------------------------------------------------

    /** Groups of four on network arp: x1, x2 and y first ping c (controller up), then x1 → y, x2 → y and x1 → x2 (controller down). */
    private List<Daemon> group(int g) {
        return m.subList(4 * g, 4 * g + 4);
    }

    @Test
    @Order(1)
    void e12TheFirstPingToANewIpCausesExactlyOneGatherToTheController() throws Exception {
        for (int g = 0; g < MEMBERS / 4; g++) {
            List<Daemon> q = group(g);
            Daemon c = q.get(2);
            for (Daemon x : List.of(q.get(0), q.get(1), q.get(3))) {
                long gathers = controllerGathers();
                firstPingUp.add(firstPing(x, c));
                Thread.sleep(300); // a second GATHER, were there one, would be on its way
                assertEquals(1, controllerGathers() - gathers, "E12: one GATHER to the controller for " + x.address() + " → " + arpIp.get(c)
                        + "\n" + multicastCounters(x) + "\n" + ctl.metrics().lines().filter(l -> l.contains("gather")).toList());
            }
        }
        report("controller up", firstPingUp);
    }

    @Test
    @Order(4)
    void e18ArpToANewIpSucceedsWithTheControllerKilledThroughACommonPeer() throws Exception {
        ctl.process().kill(); // SIGKILL
        for (int g = 0; g < MEMBERS / 4; g++) {
            List<Daemon> q = group(g);
            Daemon x1 = q.get(0), x2 = q.get(1), c = q.get(2), y = q.get(3);
            for (Daemon[] p : new Daemon[][] {{x1, y}, {x2, y}, {x1, x2}}) {
                long answered = c.dropCounter("vl2_multicast_gathers_answered");
                firstPingDown.add(firstPing(p[0], p[1]));
                assertTrue(c.dropCounter("vl2_multicast_gathers_answered") > answered, "E18: the common peer " + c.address() + " answered no GATHER");
            }
        }
        report("controller down", firstPingDown);
    }

    // --- the harness -------------------------------------------------------------------------------

    /** The first ping from {@code from} to {@code to}'s IPv4 on network arp: ARP resolved through a GATHER; the wall time in ms. */
    private long firstPing(Daemon from, Daemon to) throws Exception {
        long start = System.nanoTime();
        var r = from.post("/planetary/ping/" + arp, "{\"ip\": \"" + arpIp.get(to) + "\", \"timeoutMs\": 10000}");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, r.status(), "first ping " + from.address() + " → " + arpIp.get(to) + ": " + r.body() + "\n" + multicastCounters(from) + "\n"
                + multicastCounters(to));
        return ms;
    }

    private static void report(String what, List<Long> times) {
        List<Long> s = times.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "MulticastNetnsIT: first ping to a new IP, %s: n=%d p50=%d ms p95=%d ms max=%d ms all=%s%n", what, s.size(),
                s.get((s.size() - 1) / 2), s.get((int) Math.ceil(0.95 * s.size()) - 1), s.getLast(), times);
    }

    /** Sends one broadcast from {@code from}: an ICMP echo to the subnet's broadcast address (nobody answers one). */
    private static void broadcast(Daemon from, String nwid) throws IOException {
        var r = from.post("/planetary/ping/" + nwid, "{\"ip\": \"" + BROADCAST + "\", \"timeoutMs\": 200}");
        assertEquals(504, r.status(), r.body());
    }

    private long[] counters(String name) throws IOException {
        long[] v = new long[MEMBERS];
        for (int i = 0; i < MEMBERS; i++) v[i] = m.get(i).dropCounter(name);
        return v;
    }

    /** A count read from the members (a counter's change). */
    interface Count {
        long get() throws IOException;
    }

    /**
     * The per-member change of {@code vl2_multicast_frames_received} since {@code before}, once the
     * receptions add up to {@code expected} (the copies sent: a loaded machine may take seconds for
     * the sessions and credentials of first contacts) and then stay put for a moment, so that a
     * second copy would show; bounded (20 s).
     */
    private long[] settle(long[] before, Count expected) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        long[] d = new long[MEMBERS];
        while (System.nanoTime() < deadline) {
            Thread.sleep(200);
            long[] now = counters("vl2_multicast_frames_received");
            for (int i = 0; i < MEMBERS; i++) d[i] = now[i] - before[i];
            if (Arrays.stream(d).sum() >= expected.get()) break;
        }
        Thread.sleep(500);
        long[] now = counters("vl2_multicast_frames_received");
        for (int i = 0; i < MEMBERS; i++) d[i] = now[i] - before[i];
        return d;
    }

    /** A member's non-zero multicast counters, for a failure message. */
    private static String multicastCounters(Daemon d) throws IOException {
        return d.address() + ": " + d.metrics().lines().filter(l -> l.contains("vl2_multicast") && !l.startsWith("#") && !l.endsWith(" 0.0"))
                .map(l -> l.replaceAll(".*reason=\"vl2_multicast_([a-z_]+)\".*} ", "$1=")).toList();
    }

    private long controllerGathers() throws IOException {
        Matcher x = CONTROLLER_GATHERS.matcher(ctl.metrics());
        long n = 0;
        while (x.find()) n += (long) Double.parseDouble(x.group(2));
        return n;
    }

    /** Waits (bounded) until {@code d} holds a config of network lab newer than {@code revision}. */
    private void awaitRevisionAbove(Daemon d, long revision) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        JsonNode n = null;
        while (System.nanoTime() < deadline) {
            n = d.get("/network/" + lab);
            if (n.path("netconfRevision").asLong() > revision) return;
            Thread.sleep(200);
        }
        throw new AssertionError("no config newer than revision " + revision + " within 30 s: " + n);
    }

    private static List<String> wrapper(String ns) {
        return List.of("ip", "netns", "exec", "pmc-" + ns);
    }

    /** Kills whatever runs in a {@code pmc-*} namespace and deletes it; never throws. */
    static void removeNamespaces() {
        try {
            NetnsTestbed.run(List.of("bash", "-c", "for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^pmc-' || true); do"
                    + " for pid in $(ip netns pids \"$ns\" 2>/dev/null || true); do kill -KILL \"$pid\" 2>/dev/null || true; done;"
                    + " ip netns delete \"$ns\" 2>/dev/null || true; done"), 60);
        } catch (Exception e) {
            System.err.println("removing the pmc- namespaces failed: " + e);
        }
    }
}
