package dev.planetary.cli;

import dev.planetary.controller.Controller;
import dev.planetary.controller.ControllerEvents;
import dev.planetary.controller.ControllerJson;
import dev.planetary.controller.ControllerLink;
import dev.planetary.controller.IdentityCheck;
import dev.planetary.controller.JdbcControllerStore;
import dev.planetary.controller.Vl2Issuer;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.NetworkId;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeCounter;
import dev.planetary.vl1.RootInfo;
import dev.planetary.vl1.udp.UdpNode;
import dev.planetary.vl2.node.MemberNetwork;
import dev.planetary.vl2.node.MemberNetworks;
import dev.planetary.vl2.node.MemberPorts;
import dev.planetary.vl2.node.NetworkStore;
import dev.planetary.vl2.node.Vl2Layer;
import dev.planetary.zssp.RandomSource;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's VL2 section (VL.md §1.4, §7, §9, §16.4 E4/E5 on 127.0.0.1, no privileges): a root, a
 * controller and two members in this process. The controller runs the controller engine (SQLite in a
 * temporary directory) on its node's VL2 layer; the members join its network with a token over SEQEX,
 * bring up userspace NICs from the signed config and credential, present their credentials to each
 * other and ping across the virtual network, the frames riding VL1 sessions opened through the root.
 */
final class Vl2Demo extends DemoSection {
    private static final int PINGS = 10;
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

    private final List<SecretIdentity> reused;

    /** {@code identities}: four identities to reuse (the planet section's), or empty to generate them. */
    Vl2Demo(Output out, List<SecretIdentity> identities) {
        super(out, "vl2");
        this.reused = identities;
    }

    /** A member node: its VL2 layer, member table and data plane, driven by the node's loop. */
    private final class Member {
        final String name;
        final SecretIdentity id;
        final UdpNode udp;
        final MemberNetworks networks;
        final MemberPorts ports;
        MemberNetwork network;

        Member(String name, SecretIdentity id, List<RootInfo> roots) {
            this.name = name;
            this.id = id;
            this.udp = node("member-" + name, id, roots);
            AtomicReference<MemberNetworks> nets = new AtomicReference<>();
            AtomicReference<MemberPorts> ports = new AtomicReference<>();
            udp.call(n -> {
                Vl2Layer layer = new Vl2Layer(n);
                MemberNetworks m = new MemberNetworks(layer, NetworkStore.NONE, RandomSource.secure(), "planetary-demo");
                nets.set(m);
                ports.set(new MemberPorts(layer, m, r -> udp.call(x -> {
                    r.run();
                    return null;
                }), PortConfig::userspaceNic, PortConfig.RoutePolicy.DEFAULT));
                n.trusted(m::trusts); // §5.5/§5.7: members of a shared network consent to rendezvous and paths
                udp.drive(now -> Math.min(layer.service(now), m.service(now)));
                return null;
            }).join();
            this.networks = nets.get();
            this.ports = ports.get();
        }

        NetworkPort port() {
            return ports.port(network.id()).orElseThrow();
        }

        UserspaceNic nic() {
            return (UserspaceNic) port().nic();
        }

        Inet4Address ipv4() {
            return nic().ipv4();
        }
    }

    @Override
    int runSteps() throws Exception {
        boolean reuse = reused.size() == 4;
        if (!reuse) out.eventBlock("demo.vl2.identities", "\nvl2 — generating 4 node identities (Argon2id proof of work)…", "count", 4);
        List<SecretIdentity> ids = reuse ? reused : identities(4);
        double identitiesMs = ms();
        step("identities", String.format(Locale.ROOT, "4 identities %s: root %s, controller %s, members A %s, B %s",
                reuse ? "reused from the planet section" : String.format(Locale.ROOT, "in %.0f ms", identitiesMs),
                ids.get(0).address(), ids.get(1).address(), ids.get(2).address(), ids.get(3).address()), "ms", identitiesMs, "reused", reuse);

        List<UdpNode> roots = new ArrayList<>();
        List<RootInfo> rootInfos = roots(ids.subList(0, 1), roots);
        UdpNode root = roots.getFirst();
        step("root", "root " + ids.get(0).address() + " on " + dev.planetary.transport.Endpoint.format(root.localAddress())
                + " (root set demo.vl2, signed by a fresh update key)");

        // The controller: the controller engine (SQLite in a temporary directory) on its node's VL2 layer.
        SecretIdentity ctlId = ids.get(1);
        Path state = Files.createTempDirectory("planetary-demo-controller");
        open.add(() -> DemoCommand.deleteTree(state));
        JdbcControllerStore store = JdbcControllerStore.openSqlite(state);
        open.add(store);
        Controller engine = new Controller(ctlId.address(), store, new Vl2Issuer(ctlId), IdentityCheck.verifying(new IdentityVerifier()),
                ControllerEvents.NONE, new SplittableRandom());
        UdpNode controller = node("controller", ctlId, rootInfos);
        String[] token = new String[1];
        NetworkId nwid = controller.call(n -> {
            Vl2Layer layer = new Vl2Layer(n);
            new ControllerLink(engine, layer, fp -> "127.0.0.0/8");
            controller.drive(layer::service);
            long id = engine.createNetwork(OptionalLong.of(1), ControllerJson.parseObject("""
                    {"name": "demo", "enableBroadcast": true, "v4AssignMode": {"zt": true}, "v6AssignMode": {"rfc4193": true},
                     "ipAssignmentPools": [{"ipRangeStart": "10.147.17.1", "ipRangeEnd": "10.147.17.254"}],
                     "routes": [{"target": "10.147.17.0/24"}]}""".getBytes(StandardCharsets.UTF_8)), n.now()).id();
            token[0] = engine.createToken(id, ControllerJson.parseObject("{\"uses\": 2}".getBytes(StandardCharsets.UTF_8)), n.now()).text();
            return new NetworkId(id);
        }).join();
        step("network", "controller " + ctlId.address() + " (controller engine, SQLite) created network " + nwid
                + ": pool 10.147.17.1–254, rfc4193, broadcast; a 2-use join token " + token[0].substring(0, 8) + "…", "nwid", nwid.toString());

        // The controller registered before the members start: a root verifies at most 2 new identities
        // per source prefix at once (VL.md §2.6) and all three share 127.0.0.0/24; a third Hello would
        // be refused with RATE_LIMITED and come back 10-20 s later (Vl1Limits.RETRY_AFTER_JITTER).
        double onlineStart = ms();
        await(() -> root.call(n -> n.registered(ctlId.address()).isPresent()).join() && controller.call(n -> n.isOnline()).join(),
                "controller online at the root");
        Member a = new Member("A", ids.get(2), rootInfos);
        Member b = new Member("B", ids.get(3), rootInfos);
        await(() -> root.call(n -> n.registered(a.id.address()).isPresent() && n.registered(b.id.address()).isPresent()
                        && n.registered(ctlId.address()).isPresent()).join()
                && a.udp.call(n -> n.isOnline()).join() && b.udp.call(n -> n.isOnline()).join() && controller.call(n -> n.isOnline()).join(),
                "controller and members online at the root");
        double onlineMs = ms() - onlineStart;
        step("online", String.format(Locale.ROOT, "controller and members A, B online at the root: %.1f ms", onlineMs), "onlineMs", onlineMs);

        // Join (§7.2): NETWORK_CONFIG_REQUEST with the token over SEQEX; the signed config and credential bring the NIC up.
        double joinStart = ms();
        for (Member m : List.of(a, b)) m.network = m.udp.call(n -> m.networks.join(nwid, null, token[0])).join();
        for (Member m : List.of(a, b)) {
            await(() -> m.udp.call(n -> m.ports.port(nwid).isPresent()).join(), m.name + " joined " + nwid + " (state " + m.network.status() + ")");
            double took = ms() - joinStart;
            PortConfig pc = m.udp.call(n -> m.port().config()).join();
            step("join." + m.name, String.format(Locale.ROOT, "%s joined %s with the token over SEQEX: state OK, userspace NIC %s, %s (%.1f ms)", m.name, nwid,
                    pc.mac(), String.join(", ", pc.assignments().stream().map(Object::toString).toList()), took),
                    "member", m.id.address().toString(), "mac", pc.mac().toString(), "ms", took);
        }
        double joinMs = ms() - joinStart;

        // The first ping: A presents its credential to B, resolves B's MAC by an ARP broadcast… to the members it knows,
        // none yet: so first IPv6 to B's rfc4193 address (NDP answered on A's own NIC, §10.6), then IPv4.
        long forwardedBefore = root.call(n -> n.count(NodeCounter.RELAY_FORWARDED)).join();
        InetAddress b6 = dev.planetary.nic.Ipv6Addresses.rfc4193(nwid, b.id.address().value());
        double firstStart = ms();
        int lost = pingUntilReply(a, b6, "the first ping6 A → B");
        double first = ms() - firstStart;
        boolean relayed = a.udp.call(n -> n.relayed(b.id.fingerprint())).join();
        step("first", String.format(Locale.ROOT, "A → B %s: first ping6 (credentials presented, session set-up, NDP answered locally) %.2f ms, %d lost, session %s",
                b6.getHostAddress(), first, lost, relayed ? "relayed through the root" : "direct"), "rttMs", first, "lost", lost, "relayed", relayed);
        // §5.5: both members asked their relay root for a rendezvous (consent: a shared network); punching finds the direct path
        double directStart = ms();
        boolean direct = awaitQuietly(() -> !a.udp.call(n -> n.relayed(b.id.fingerprint())).join() && !b.udp.call(n -> n.relayed(a.id.fingerprint())).join(), 8_000);
        double directMs = ms() - directStart;
        if (direct) {
            step("direct", String.format(Locale.ROOT, "A ⇄ B direct path (rendezvous by consent at the root, then hole punching): %.1f ms after the first ping", directMs),
                    "ms", directMs);
        } else {
            step("direct", "A ⇄ B still relayed through the root after 8 s (no direct path confirmed)", "ms", directMs);
        }
        List<Double> ab = new ArrayList<>();
        List<Double> ba = new ArrayList<>();
        for (int i = 0; i < PINGS; i++) {
            ab.add(get(a.nic().ping(b.ipv4(), PING_TIMEOUT), "ping A → B " + b.ipv4().getHostAddress()).toNanos() / 1e6);
            ba.add(get(b.nic().ping(a.ipv4(), PING_TIMEOUT), "ping B → A " + a.ipv4().getHostAddress()).toNanos() / 1e6);
        }
        long forwarded = root.call(n -> n.count(NodeCounter.RELAY_FORWARDED)).join() - forwardedBefore;
        boolean relayedAfter = a.udp.call(n -> n.relayed(b.id.fingerprint())).join();
        step("pings", String.format(Locale.ROOT, "%d IPv4 pings each way (ARP as multicast to the owner, VL.md §10): A → B %s ms; B → A %s ms", PINGS, rtts(ab), rtts(ba)),
                "abMs", ab, "baMs", ba);
        long sent = a.udp.call(n -> a.port().sent()).join() + b.udp.call(n -> b.port().sent()).join();
        long delivered = a.udp.call(n -> a.port().delivered()).join() + b.udp.call(n -> b.port().delivered()).join();
        long drops = a.udp.call(n -> a.port().drops()).join() + b.udp.call(n -> b.port().drops()).join();

        StringBuilder text = new StringBuilder();
        text.append("\nvl2 — a virtual Ethernet network on loopback: 1 root, 1 controller, 2 members, in this process\n\ntimeline\n");
        for (String line : timeline) text.append(line).append('\n');
        text.append(String.format(Locale.ROOT, "%nfigures%n"
                        + "  network             %s, MTU %d, members A %s (%s), B %s (%s)%n"
                        + "  time to online      %.1f ms (controller and members at the root)%n"
                        + "  join                %.1f ms for both (token over SEQEX, signed config + credential checked, NIC up)%n"
                        + "  first ping          %.2f ms A → B over IPv6 (credentials, session set-up; %d request(s) lost, %s)%n"
                        + "  ping rtt            A → B %s ms, B → A %s ms (min/avg/max of %d)%n"
                        + "  path now            %s; the root relayed %d datagrams%n"
                        + "  data plane          %d frames sent, %d delivered, %d dropped (frames that overtook a credential)%n%nOK",
                nwid, a.udp.call(n -> a.port().config().mtu()).join(), a.id.address(), a.ipv4().getHostAddress(), b.id.address(), b.ipv4().getHostAddress(),
                onlineMs, joinMs, first, lost, relayed ? "relayed" : "direct", minAvgMax(ab), minAvgMax(ba), PINGS,
                relayedAfter ? "relayed through the root" : "direct", forwarded, sent, delivered, drops));
        out.eventBlock("demo.vl2.summary", text.toString(), "nwid", nwid.toString(), "onlineMs", onlineMs, "joinMs", joinMs, "firstPingMs", first,
                "firstLost", lost, "abMs", ab, "baMs", ba, "relayed", relayedAfter, "relayForwarded", forwarded, "framesDropped", drops, "ok", true);
        return 0;
    }

    /** Pings until a reply (at most 3 requests, 2 s each), as ping(8) would: a frame may overtake the credential sent before it (§8.3). */
    private int pingUntilReply(Member from, InetAddress to, String what) throws InterruptedException {
        for (int lost = 0; lost < 3; lost++) {
            try {
                get(from.nic().ping(to, Duration.ofSeconds(2)), what);
                return lost;
            } catch (CliError e) {
                // no reply within 2 s: the next request
            }
        }
        throw failed(what + ": no reply to 3 requests");
    }

    private UdpNode node(String name, SecretIdentity id, List<RootInfo> roots) {
        UdpNode n = new UdpNode(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), id, l -> NodeConfig.member(l, roots), e -> { });
        open.add(n);
        return n;
    }

    private static String rtts(List<Double> l) {
        return String.join(" ", l.stream().map(d -> String.format(Locale.ROOT, "%.2f", d)).toList());
    }

    private static String minAvgMax(List<Double> l) {
        double min = l.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = l.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double avg = l.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        return String.format(Locale.ROOT, "%.2f/%.2f/%.2f", min, avg, max);
    }
}
