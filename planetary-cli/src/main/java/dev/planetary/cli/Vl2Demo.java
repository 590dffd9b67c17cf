package dev.planetary.cli;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.Identity;
import dev.planetary.identity.PsoVerifier;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.Ipv6Addresses;
import dev.planetary.nic.NetworkId;
import dev.planetary.nic.NetworkPort;
import dev.planetary.nic.PortConfig;
import dev.planetary.nic.UserspaceNic;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeCounter;
import dev.planetary.vl1.RootInfo;
import dev.planetary.vl1.udp.UdpNode;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.RevocationReference;
import dev.planetary.vl2.Route;
import dev.planetary.vl2.Signed;
import dev.planetary.vl2.Vl2Limits;
import dev.planetary.vl2.node.DataPlane;
import dev.planetary.vl2.node.Vl2Layer;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo's VL2 section (VL.md §1.4, §9, §16.4 E4/E5 on 127.0.0.1, no privileges): a root, a
 * controller and two members in this process; the members join a network with a token, get their
 * signed config and credential, bring up userspace NICs and ping each other across the virtual
 * network, the frames riding VL1 sessions opened through the root.
 *
 * <p>The controller here is {@link DemoIssuer}, a minimal in-process issuer built on the VL2 records,
 * not the controller engine and its join over SEQEX; members learn each other's credentials in
 * process instead of by NETWORK_CREDENTIALS.
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

    /**
     * The demo's controller: a minimal in-process issuer (not the controller engine). It owns network
     * {@code controller address ‖ 000001}, checks the join token, assigns the next IPv4 of
     * 10.147.17.0/24 and the rfc4193 address (§10.6), and signs the member's credential (§8.1) and its
     * NetworkConfig (§7.4: broadcast and NDP emulation on, MTU 2800, the on-link route).
     */
    static final class DemoIssuer {
        private final SecretIdentity controller;
        private final NetworkId nwid;
        private final byte[] token;
        private final Signed<RevocationList> revocations;
        private int next = 1;

        DemoIssuer(SecretIdentity controller, String token, long now) {
            this.controller = controller;
            this.nwid = NetworkId.of(controller.address().value(), 1);
            this.token = token.getBytes(StandardCharsets.US_ASCII);
            this.revocations = RevocationList.initial(nwid).sign(controller, now);
        }

        NetworkId nwid() {
            return nwid;
        }

        synchronized Signed<NetworkConfig> join(Identity member, Address address, String presented, long now) throws Exception {
            if (!MessageDigest.isEqual(token, presented.getBytes(StandardCharsets.US_ASCII))) {
                throw new IllegalArgumentException("NETWORK_ACCESS_DENIED: wrong token");
            }
            int host = next++;
            List<AssignedAddress> ips = List.of(
                    AssignedAddress.of(new IpAssignment(InetAddress.getByName("10.147.17." + host), 24)),
                    AssignedAddress.of(new IpAssignment(Ipv6Addresses.rfc4193(nwid, address.value()), Ipv6Addresses.RFC4193_PREFIX)));
            Signed<MemberCredential> mc = new MemberCredential(nwid, member.fingerprint(), address, 1, Vl2Limits.MAX_DELTA_DEFAULT, 0, ips,
                    List.of(), List.of()).sign(controller, now);
            return new NetworkConfig(nwid, member.fingerprint(), 1L << 32 | 1,
                    NetworkConfig.FLAG_BROADCAST | NetworkConfig.FLAG_NDP_EMULATION, Vl2Limits.MTU_DEFAULT,
                    RevocationReference.of(revocations), OptionalInt.empty(), OptionalLong.empty(), Optional.of("demo"),
                    List.of(Route.onLink(InetAddress.getByName("10.147.17.0"), 24)), Optional.empty(), List.of(), List.of(), List.of(), mc)
                    .sign(controller, now);
        }
    }

    /**
     * The credentials a member holds of its peers (checked against the controller's key): the §8.3
     * gate by fingerprint, and the members a broadcast goes to.
     */
    private static final class Credentials implements DataPlane.Gate, NetworkPort.Membership {
        private final Map<Long, MemberCredential> valid = new ConcurrentHashMap<>();
        private final long self;

        Credentials(long self) {
            this.self = self;
        }

        void present(Signed<MemberCredential> mc, Identity controller) {
            MemberCredential c = MemberCredential.verify(new PsoVerifier(), mc.encoded(), controller).orThrow().value();
            valid.put(c.issuedToAddress().value(), c);
        }

        @Override
        public NetworkPort.Peer peer(NetworkId nwid, Fingerprint peer, Address address) {
            MemberCredential c = valid.get(address.value());
            boolean allowed = c != null && c.networkId().equals(nwid) && c.issuedTo().equals(peer);
            return DataPlane.peer(address, allowed, Optional.ofNullable(allowed ? c : null));
        }

        @Override
        public List<Long> members() {
            return valid.keySet().stream().filter(a -> a != self).toList();
        }
    }

    /** A member node with its VL2 layer and data plane; {@code port} once joined. */
    private static final class Member {
        final String name;
        final SecretIdentity id;
        final UdpNode udp;
        final DataPlane plane;
        final Credentials credentials;
        NetworkPort port;
        Signed<NetworkConfig> config;

        Member(String name, SecretIdentity id, UdpNode udp) {
            this.name = name;
            this.id = id;
            this.udp = udp;
            this.credentials = new Credentials(id.address().value());
            this.plane = new DataPlane((nwid, to, message) -> udp.call(n -> n.sendUpper(to, message)), credentials);
            udp.call(n -> {
                plane.register(new Vl2Layer(n));
                return null;
            }).join();
        }

        UserspaceNic nic() {
            return (UserspaceNic) port.nic();
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

        // The controller: a node online at the root, and the demo's minimal issuer owning one network.
        String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        SecretIdentity ctlId = ids.get(1);
        UdpNode controller = node("controller", ctlId, rootInfos);
        DemoIssuer issuer = new DemoIssuer(ctlId, token, System.currentTimeMillis());
        NetworkId nwid = issuer.nwid();
        step("network", "controller " + ctlId.address() + " (demo issuer, in process) owns network " + nwid + "; join token " + token.substring(0, 8) + "…",
                "nwid", nwid.toString());

        Member a = new Member("A", ids.get(2), node("member-A", ids.get(2), rootInfos));
        Member b = new Member("B", ids.get(3), node("member-B", ids.get(3), rootInfos));
        double onlineStart = ms();
        await(() -> root.call(n -> n.registered(a.id.address()).isPresent() && n.registered(b.id.address()).isPresent()
                        && n.registered(ctlId.address()).isPresent()).join()
                && a.udp.call(n -> n.isOnline()).join() && b.udp.call(n -> n.isOnline()).join() && controller.call(n -> n.isOnline()).join(),
                "controller and members online at the root");
        double onlineMs = ms() - onlineStart;
        step("online", String.format(Locale.ROOT, "controller and members A, B online at the root: %.1f ms", onlineMs), "onlineMs", onlineMs);

        // Join (§7.2): the signed config is checked against the controller's key, then the NIC comes up (§12.7).
        double joinMs = 0;
        for (Member m : List.of(a, b)) {
            double start = ms();
            m.config = issuer.join(m.id.identity(), m.id.address(), token, System.currentTimeMillis());
            NetworkConfig cfg = NetworkConfig.verify(new PsoVerifier(), m.config.encoded(), ctlId.identity()).orThrow().value();
            if (!cfg.issuedTo().equals(m.id.fingerprint())) throw failed("the config of " + m.name + " is issued to someone else");
            PortConfig pc = DataPlane.portConfig(cfg, cfg.credential().value(), m.id.address(), PortConfig.RoutePolicy.DEFAULT);
            m.port = m.plane.open(pc, pc.userspaceNic(), m.credentials);
            double took = ms() - start;
            joinMs += took;
            step("join." + m.name, String.format(Locale.ROOT, "%s joined %s with the token: state OK, userspace NIC %s, %s (%.1f ms)", m.name, nwid,
                    pc.mac(), String.join(", ", pc.assignments().stream().map(Object::toString).toList()), took),
                    "member", m.id.address().toString(), "mac", pc.mac().toString(), "ms", took);
        }
        // Credentials (§8.3) and identities (the controller vouches for them, §10.3) each member holds of the other.
        for (Member m : List.of(a, b)) {
            for (Member peer : List.of(a, b)) {
                m.credentials.present(peer.config.value().credential(), ctlId.identity());
                if (peer != m) m.udp.call(n -> {
                    n.remember(peer.id.identity(), null);
                    return null;
                }).join();
            }
        }

        // The first ping resolves B's MAC by an ARP broadcast and opens the A–B session through the root (§5.10).
        long forwardedBefore = root.call(n -> n.count(NodeCounter.RELAY_FORWARDED)).join();
        double firstStart = ms();
        get(a.nic().ping(b.ipv4(), PING_TIMEOUT), "the first ping A → B");
        double first = ms() - firstStart;
        boolean relayed = a.udp.call(n -> n.relayed(b.id.fingerprint())).join();
        step("first", String.format(Locale.ROOT, "A → B %s: first ping (ARP broadcast, session set-up) %.2f ms, session %s", b.ipv4().getHostAddress(), first,
                relayed ? "relayed through the root" : "direct"), "rttMs", first, "relayed", relayed);
        List<Double> ab = new ArrayList<>();
        List<Double> ba = new ArrayList<>();
        for (int i = 0; i < PINGS; i++) {
            ab.add(get(a.nic().ping(b.ipv4(), PING_TIMEOUT), "ping A → B").toNanos() / 1e6);
            ba.add(get(b.nic().ping(a.ipv4(), PING_TIMEOUT), "ping B → A").toNanos() / 1e6);
        }
        long forwarded = root.call(n -> n.count(NodeCounter.RELAY_FORWARDED)).join() - forwardedBefore;
        boolean relayedAfter = a.udp.call(n -> n.relayed(b.id.fingerprint())).join();
        step("pings", String.format(Locale.ROOT, "%d pings each way: A → B %s ms; B → A %s ms", PINGS, rtts(ab), rtts(ba)),
                "abMs", ab, "baMs", ba);
        long drops = a.port.drops() + b.port.drops();
        if (drops != 0) throw failed(drops + " frame(s) dropped by the data plane");

        StringBuilder text = new StringBuilder();
        text.append("\nvl2 — a virtual Ethernet network on loopback: 1 root, 1 controller (demo issuer), 2 members, in this process\n\ntimeline\n");
        for (String line : timeline) text.append(line).append('\n');
        text.append(String.format(Locale.ROOT, "%nfigures%n"
                        + "  network             %s, MTU %d, members A %s (%s), B %s (%s)%n"
                        + "  time to online      %.1f ms (controller and members at the root)%n"
                        + "  join                %.1f ms for both (token, signed config + credential checked, NIC up)%n"
                        + "  first ping          %.2f ms A → B (ARP broadcast + session set-up, %s)%n"
                        + "  ping rtt            A → B %s ms, B → A %s ms (min/avg/max of %d)%n"
                        + "  path now            %s; the root relayed %d datagrams%n"
                        + "  data plane          %d frames sent, %d delivered, 0 dropped%n%nOK",
                nwid, a.port.config().mtu(), a.id.address(), a.ipv4().getHostAddress(), b.id.address(), b.ipv4().getHostAddress(),
                onlineMs, joinMs, first, relayed ? "relayed" : "direct", minAvgMax(ab), minAvgMax(ba), PINGS,
                relayedAfter ? "relayed through the root" : "direct", forwarded,
                a.port.sent() + b.port.sent(), a.port.delivered() + b.port.delivered()));
        out.eventBlock("demo.vl2.summary", text.toString(), "nwid", nwid.toString(), "onlineMs", onlineMs, "joinMs", joinMs, "firstPingMs", first,
                "abMs", ab, "baMs", ba, "relayed", relayedAfter, "relayForwarded", forwarded, "ok", true);
        return 0;
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
