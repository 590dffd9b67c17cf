package dev.planetary.cli;

import dev.planetary.identity.Address;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeCounter;
import dev.planetary.vl1.NodeEvent;
import dev.planetary.vl1.RootInfo;
import dev.planetary.vl1.udp.UdpNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's planet section (VL.md §17 over UDP on 127.0.0.1, no privileges): one root set of two
 * roots, two members; WHOIS through the two agreeing roots, a session and USER_MESSAGE both ways,
 * first direct, then with direct traffic blocked, through RELAY via a root.
 */
final class PlanetDemo extends DemoSection {
    private static final long USER_TYPE = 70_000;

    private List<SecretIdentity> ids = List.of();

    PlanetDemo(Output out) {
        super(out, "planet");
    }

    /** The four identities this section generated (roots 1 and 2, members A and B), once it ran. */
    List<SecretIdentity> identities() {
        return ids;
    }

    /** A member: its driver and the events it reported (the loop thread appends, the demo reads). */
    private record Member(String name, SecretIdentity id, UdpNode udp, List<NodeEvent> events) {
        List<String> texts() {
            List<String> l = new ArrayList<>();
            for (NodeEvent e : events) if (e instanceof NodeEvent.UserMessageReceived u) l.add(new String(u.payload(), StandardCharsets.UTF_8));
            return l;
        }
    }

    /** One exchange's figures. */
    private record Exchange(double whoisMs, double rttMs, boolean relayedAtA, boolean relayedAtB) {}

    @Override
    int runSteps() throws Exception {
        // 1. Identities: the proof of work costs about a second each; the four searches run side by side.
        out.eventBlock("demo.planet.identities", "\nplanet — generating 4 node identities (Argon2id proof of work)…", "count", 4);
        int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
        ids = identities(4);
        double identitiesMs = ms();
        step("identities", String.format(Locale.ROOT, "4 identities generated in %.0f ms on %d core(s): roots %s, %s; members A %s, B %s", identitiesMs, cores,
                ids.get(0).address(), ids.get(1).address(), ids.get(2).address(), ids.get(3).address()), "ms", identitiesMs);

        // 2. Two roots on loopback, and the root set naming them, signed with a fresh update key.
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<UdpNode> roots = new ArrayList<>();
        List<RootInfo> rootInfos = roots(ids.subList(0, 2), roots);
        step("rootset", "root set demo.planet (signed by a fresh update key): root " + ids.get(0).address() + " on " + dev.planetary.transport.Endpoint.format(roots.get(0).localAddress())
                + ", root " + ids.get(1).address() + " on " + dev.planetary.transport.Endpoint.format(roots.get(1).localAddress()), "roots", rootInfos.size());

        // 3. The open exchange: A resolves B by its address and opens towards B's endpoint and through a root
        //    at once (§5.10); on loopback either Hello may reach B first: the path is reported, not required.
        Member a = member("A", ids.get(2), rootInfos, ids.get(3).address());
        Member b = member("B", ids.get(3), rootInfos, ids.get(2).address());
        double onlineMs = online(a, b, roots, "online at both roots");
        Exchange direct = exchange(a, b, b.udp().localAddress(), "hello B", "open");

        // 4. The same with direct traffic blocked: A and B restart on new ports; the only endpoint A knows
        //    for B is a black hole (a socket nobody reads), so the session goes through RELAY via a root.
        for (Member m : List.of(a, b)) {
            open.remove(m.udp());
            m.udp().close();
        }
        DatagramChannel hole = DatagramChannel.open();
        open.add(hole);
        hole.bind(any);
        hole.configureBlocking(false);
        long forwardedBefore = forwarded(roots);
        Member a2 = member("A", ids.get(2), rootInfos, ids.get(3).address());
        Member b2 = member("B", ids.get(3), rootInfos, ids.get(2).address());
        double onlineMs2 = online(a2, b2, roots, "back online after the restart");
        Exchange relayed = exchange(a2, b2, (InetSocketAddress) hole.getLocalAddress(), "hello B, direct blocked", "blocked");
        if (!relayed.relayedAtA() || !relayed.relayedAtB()) throw failed("the blocked exchange did not run through a root");
        long forwardedRelay = forwarded(roots) - forwardedBefore;
        if (forwardedRelay < 4) throw failed("the roots forwarded only " + forwardedRelay + " datagram(s)");
        long lost = drain(hole);
        step("relayed", "relayed: the roots forwarded " + forwardedRelay + " datagrams between A and B; " + lost + " direct datagram(s) lost in the black hole",
                "relayForwarded", forwardedRelay, "directLost", lost);

        StringBuilder text = new StringBuilder();
        text.append("\nplanet — VL1 on loopback: one root set (2 roots), 2 members, in this process\n\ntimeline\n");
        for (String line : timeline) text.append(line).append('\n');
        text.append(String.format(Locale.ROOT, "%nfigures%n"
                        + "  identities          4 in %.0f ms (Argon2id proof of work, %d core(s))%n"
                        + "  time to online      %.1f ms (both members at both roots), %.1f ms after the restart%n"
                        + "  WHOIS               %.1f ms (open round), %.1f ms (blocked round); two roots agreed%n"
                        + "  message rtt         %.1f ms open (%s), %.1f ms blocked (relayed) (A → B → A, session set-up included)%n"
                        + "  relayed datagrams   %d forwarded by the roots%n%nOK",
                identitiesMs, cores, onlineMs, onlineMs2, direct.whoisMs(), relayed.whoisMs(), direct.rttMs(), direct.relayedAtA() ? "relayed" : "direct", relayed.rttMs(), forwardedRelay));
        out.eventBlock("demo.planet.summary", text.toString(), "identitiesMs", identitiesMs, "onlineMs", onlineMs, "onlineAfterRestartMs", onlineMs2,
                "whoisMs", direct.whoisMs(), "whoisBlockedRoundMs", relayed.whoisMs(), "rttOpenMs", direct.rttMs(), "openRelayed", direct.relayedAtA(),
                "rttBlockedMs", relayed.rttMs(), "directLost", lost,
                "relayForwarded", forwardedRelay, "ok", true);
        return 0;
    }

    /** Starts a member; it answers every USER_MESSAGE with "re: …" to {@code peer}, from its own loop thread. */
    private Member member(String name, SecretIdentity id, List<RootInfo> roots, Address peer) {
        List<NodeEvent> events = new CopyOnWriteArrayList<>();
        AtomicReference<UdpNode> self = new AtomicReference<>();
        UdpNode udp = new UdpNode("member-" + name, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), id, l -> NodeConfig.member(l, roots), e -> {
            events.add(e);
            if (e instanceof NodeEvent.UserMessageReceived u && !new String(u.payload(), StandardCharsets.UTF_8).startsWith("re: ")) {
                byte[] answer = ("re: " + new String(u.payload(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                self.get().call(n -> n.sendUserMessage(peer, USER_TYPE, answer)); // queued: runs after this event
            }
        });
        self.set(udp);
        open.add(udp);
        return new Member(name, id, udp, events);
    }

    private double online(Member a, Member b, List<UdpNode> roots, String what) {
        double start = ms();
        await(() -> roots.stream().allMatch(r -> r.call(n -> n.registered(a.id().address()).isPresent() && n.registered(b.id().address()).isPresent()).join())
                && a.udp().call(n -> n.isOnline()).join() && b.udp().call(n -> n.isOnline()).join(), "members " + what);
        double t = ms() - start;
        step("online", String.format(Locale.ROOT, "members A (%s) and B (%s) %s: %.1f ms", a.id().address(), b.id().address(), what, t), "onlineMs", t);
        return t;
    }

    /** WHOIS B at A, then "hello" A → B and B's answer; {@code endpoint} is where A believes B is. */
    private Exchange exchange(Member a, Member b, InetSocketAddress endpoint, String hello, String round) {
        Address bAddr = b.id().address();
        double whoisStart = ms();
        a.udp().call(n -> {
            n.lookup(bAddr);
            return null;
        }).join();
        await(() -> a.events().stream().anyMatch(e -> (e instanceof NodeEvent.IdentityResolved r && r.address().equals(bAddr))
                || (e instanceof NodeEvent.LookupFailed f && f.address().equals(bAddr)) || (e instanceof NodeEvent.IdentityConflict c && c.address().equals(bAddr))),
                "WHOIS " + bAddr);
        NodeEvent.IdentityResolved resolved = a.events().stream().filter(e -> e instanceof NodeEvent.IdentityResolved r && r.address().equals(bAddr))
                .map(e -> (NodeEvent.IdentityResolved) e).findFirst()
                .orElseThrow(() -> failed("WHOIS " + bAddr + " failed: " + a.events()));
        if (!resolved.fingerprint().equals(b.id().fingerprint()) || resolved.tofu()) {
            throw failed("WHOIS " + bAddr + " answered " + resolved);
        }
        double whois = ms() - whoisStart;
        step(round + ".whois", String.format(Locale.ROOT, "%s: A resolved B's address %s via WHOIS (two roots agreed): %s, %.1f ms", round, bAddr,
                resolved.fingerprint().toShortString(), whois), "whoisMs", whois);

        double sent = ms();
        a.udp().call(n -> {
            n.remember(b.id().identity(), endpoint);
            return n.sendUserMessage(bAddr, USER_TYPE, hello.getBytes(StandardCharsets.UTF_8));
        }).join();
        await(() -> b.texts().contains(hello), round + " message A → B");
        step(round + ".message", String.format(Locale.ROOT, "%s: B received \"%s\" from A", round, hello));
        await(() -> a.texts().contains("re: " + hello), round + " answer B → A");
        double rtt = ms() - sent;
        boolean ra = a.udp().call(n -> n.relayed(b.id().fingerprint())).join();
        boolean rb = b.udp().call(n -> n.relayed(a.id().fingerprint())).join();
        step(round + ".answer", String.format(Locale.ROOT, "%s: A received B's answer \"re: %s\" (rtt %.1f ms, session %s)", round, hello, rtt,
                ra ? "relayed through a root" : "direct"), "rttMs", rtt, "relayed", ra);
        return new Exchange(whois, rtt, ra, rb);
    }

    private static long forwarded(List<UdpNode> roots) {
        long n = 0;
        for (UdpNode r : roots) n += r.call(x -> x.count(NodeCounter.RELAY_FORWARDED)).join();
        return n;
    }

    /** Datagrams waiting in the black hole. */
    private static long drain(DatagramChannel hole) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(65_535);
        long n = 0;
        while (n < 100_000) {
            buf.clear();
            if (hole.receive(buf) == null) break;
            n++;
        }
        return n;
    }
}
