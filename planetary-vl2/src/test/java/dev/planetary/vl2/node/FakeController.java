package dev.planetary.vl2.node;

import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.ErrorMessage;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.NetworkConfigMessage;
import dev.planetary.vl2.NetworkConfigRequest;
import dev.planetary.vl2.NetworkCredentials;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.RevocationReference;
import dev.planetary.vl2.Route;
import dev.planetary.vl2.Signed;
import dev.planetary.vl2.Vl2Limits;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A test double of a controller's ANSWERS (VL.md §7.5), built with the vl2 codecs: one network,
 * authorization by a set or a token, configs and credentials signed with the controller's identity.
 * Not the controller engine: no database, no rate limits.
 */
final class FakeController implements SeqexLink.ChannelHandler {
    final SecretIdentity identity;
    final NetworkId nwid;
    final Vl2World.Host host;
    final Set<Fingerprint> authorized = new HashSet<>();
    final Set<Fingerprint> revoked = new HashSet<>();
    final List<NetworkConfigRequest> requests = new ArrayList<>();
    /** Members whose credentials carry the bridge flag (§8.1 flags bit0, ZeroTier's {@code activeBridge}). */
    final Set<dev.planetary.identity.Address> bridges = new HashSet<>();
    /** Members whose credentials carry the replicator flag and whom configs list as replicator specialists (§8.1 bit1, §10.7). */
    final Set<Fingerprint> replicators = new HashSet<>();
    String token;
    /** The IP assignments of a member's credential (the data-plane tests give each member its own). */
    java.util.function.Function<dev.planetary.identity.Address, List<AssignedAddress>> addresses =
            a -> List.of(AssignedAddress.of(new IpAssignment(ip("10.147.17.5"), 24)));
    /** The base rules, capabilities and tag definitions of the config (§7.4 {@code 0x0b}–{@code 0x0d}), and each member's tags and grants (§8.1). */
    Optional<dev.planetary.vl2.RuleList> baseRules = Optional.empty();
    List<dev.planetary.vl2.Capability> capabilities = List.of();
    List<dev.planetary.vl2.TagDefinition> tagDefinitions = List.of();
    java.util.function.Function<dev.planetary.identity.Address, List<dev.planetary.vl2.Tag>> tags = a -> List.of();
    java.util.function.Function<dev.planetary.identity.Address, List<Long>> grants = a -> List.of();
    /** The config flags (§7.4). */
    long flags = NetworkConfig.FLAG_BROADCAST;
    boolean networkExists = true;
    int networkRevision = 1;
    long clock = 1_796_083_200_000L; // controller ms (§7.5 issuance clock)
    Signed<RevocationList> list;

    FakeController(Vl2World.Host host, SecretIdentity identity) {
        this.host = host;
        this.identity = identity;
        this.nwid = NetworkId.of(identity.address().value(), 1);
        this.list = RevocationList.initial(nwid).sign(identity, ts());
        host.layer.seqex().handle(SeqexLink.CHANNEL_CONTROL, this);
    }

    long ts() {
        return ++clock;
    }

    Signed<MemberCredential> credential(Fingerprint member, long ts) {
        return credential(member, host.node.boundAddress(member).orElseThrow(), ts);
    }

    Signed<MemberCredential> credential(Fingerprint member, dev.planetary.identity.Address address, long ts) {
        MemberCredential mc = new MemberCredential(nwid, member, address, 1, Vl2Limits.MAX_DELTA_DEFAULT,
                (bridges.contains(address) ? MemberCredential.FLAG_BRIDGE : 0) | (replicators.contains(member) ? MemberCredential.FLAG_REPLICATOR : 0),
                addresses.apply(address), tags.apply(address), grants.apply(address));
        return mc.sign(identity, ts);
    }

    /** A config for {@code member}: fields as a v1 controller would issue them. */
    NetworkConfig config(NetworkId network, Fingerprint member, Signed<MemberCredential> mc) {
        return new NetworkConfig(network, member, ((long) networkRevision << 32) | 1, flags, Vl2Limits.MTU_DEFAULT,
                RevocationReference.of(list), OptionalInt.empty(), OptionalLong.empty(), Optional.of("lab"),
                List.of(Route.onLink(ip("10.147.17.0"), 24)), baseRules, capabilities, tagDefinitions, specialists(), mc);
    }

    /** §7.4 field 0x0e: the replicators this controller has seen (a member joining before its replicator's first request lists none). */
    private List<dev.planetary.vl2.Specialist> specialists() {
        List<dev.planetary.vl2.Specialist> l = new ArrayList<>();
        for (Fingerprint f : replicators) {
            host.node.boundAddress(f).ifPresent(a -> l.add(new dev.planetary.vl2.Specialist(a, f, dev.planetary.vl2.Specialist.REPLICATOR)));
        }
        return l;
    }

    Signed<NetworkConfig> signedConfig(Fingerprint member) {
        return signedConfig(member, host.node.boundAddress(member).orElseThrow());
    }

    Signed<NetworkConfig> signedConfig(Fingerprint member, dev.planetary.identity.Address address) {
        long ts = ts();
        return config(nwid, member, credential(member, address, ts)).sign(identity, ts);
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public boolean accepts(Fingerprint peer) {
        return true;
    }

    @Override
    public void onMessage(SeqexLink.Incoming in) {
        byte[] m = in.message();
        if ((m[0] & 0xff) == Verb.NETWORK_CREDENTIALS) { // a revocation-list query
            in.reply(NetworkCredentials.of(nwid, dev.planetary.vl2.CredentialItem.RevocationListItem.of(list)).encode(), false);
            return;
        }
        if ((m[0] & 0xff) != Verb.NETWORK_CONFIG_REQUEST) {
            if (in.expectsReply()) in.reply(new ErrorMessage(m[0] & 0xff, 0, ErrorMessage.INVALID_REQUEST, ErrorMessage.Detail.NONE).encode(), false);
            return;
        }
        NetworkConfigRequest r = NetworkConfigRequest.decode(m).orThrow();
        requests.add(r);
        Fingerprint p = in.peer();
        if (!networkExists || !r.networkId().equals(nwid)) {
            in.reply(new ErrorMessage(Verb.NETWORK_CONFIG_REQUEST, 0, ErrorMessage.OBJ_NOT_FOUND, new ErrorMessage.Detail.NetworkId(r.networkId().value())).encode(), false);
            return;
        }
        if (token != null && r.token().filter(token::equals).isPresent()) authorized.add(p);
        if (!authorized.contains(p)) {
            int reason = revoked.contains(p) ? 2 : 1;
            in.reply(new ErrorMessage(Verb.NETWORK_CONFIG_REQUEST, 0, ErrorMessage.NETWORK_ACCESS_DENIED, new ErrorMessage.Detail.AccessDenied(nwid.value(), reason)).encode(), false);
            return;
        }
        in.reply(NetworkConfigMessage.of(signedConfig(p), false).encode(), false);
    }

    /**
     * Answers MULTICAST_GATHER for ARP groups as §10.3 says a controller does (the real one is the
     * controller module's): the authorised member assigned the IPv4, format 1, authoritative.
     */
    void answerGathers() {
        host.layer.handle(Verb.MULTICAST_GATHER, (peer, address, m) -> {
            if (!(dev.planetary.vl2.MulticastGather.decode(m) instanceof dev.planetary.identity.Decoded.Ok<dev.planetary.vl2.MulticastGather>(var g))) return;
            gathers++;
            List<dev.planetary.vl2.GatherReply.Member> records = new ArrayList<>();
            for (Fingerprint f : authorized) {
                var a = host.node.boundAddress(f);
                var id = host.node.identity(f);
                if (f.equals(peer) || a.isEmpty() || id.isEmpty()) continue;
                for (AssignedAddress x : addresses.apply(a.get())) {
                    if (x.ip().address() instanceof java.net.Inet4Address v4 && dev.planetary.vl2.MulticastGroup.arp(v4).equals(g.group())) {
                        records.add(dev.planetary.vl2.GatherReply.Member.of(id.get(), a.get()));
                    }
                }
            }
            if (records.isEmpty()) return;
            var reply = new dev.planetary.vl2.GatherReply(nwid, g.group(), records.size(), true, records);
            host.node.sendUpper(peer, dev.planetary.vl1.Vl1Codec.encode(reply.toOk(Verb.MULTICAST_GATHER, g.requestId())));
        });
    }

    /** GATHERs received since {@link #answerGathers}. */
    int gathers;

    void deauthorize(Fingerprint member) {
        authorized.remove(member);
        revoked.add(member);
    }

    /** Pushes {@code message} (a NETWORK_CONFIG or NETWORK_CREDENTIALS) to {@code member} as a §7.5 push; the outcome lands in {@code out}. */
    boolean push(Fingerprint member, byte[] message, SeqexLinkSimTest.Outcome out) {
        return host.layer.seqex().request(member, SeqexLink.CHANNEL_CONTROL, message, true, out);
    }

    static byte[] emptyBytes() {
        return Bytes.EMPTY.toArray();
    }
}
