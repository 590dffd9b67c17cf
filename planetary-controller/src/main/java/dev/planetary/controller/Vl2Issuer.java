package dev.planetary.controller;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.Capability;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.Revocation;
import dev.planetary.vl2.RevocationList;
import dev.planetary.vl2.RevocationReference;
import dev.planetary.vl2.RuleList;
import dev.planetary.vl2.Tag;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** The {@link Issuer} that signs the VL2 wire objects (planetary-vl2) as the controller identity, which it does not own. */
public final class Vl2Issuer implements Issuer {
    private final SecretIdentity controller;

    public Vl2Issuer(SecretIdentity controller) {
        this.controller = controller;
    }

    static InetAddress inet(Ip ip) {
        try {
            // 16 bytes stay IPv6 even when IPv4-mapped (InetAddress.getByAddress would turn them into IPv4)
            return ip.family() == 6 ? Inet6Address.getByAddress(null, ip.bytes(), -1) : InetAddress.getByAddress(ip.bytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static MemberCredential credentialOf(CredentialContent c) {
        List<AssignedAddress> ips = new ArrayList<>();
        for (Ip.Prefixed p : c.ips()) ips.add(AssignedAddress.of(new IpAssignment(inet(p.ip()), p.prefix())));
        List<Tag> tags = new ArrayList<>();
        c.tags().forEach((id, v) -> tags.add(new Tag(id, v)));
        return new MemberCredential(new NetworkId(c.networkId()), c.issuedTo(), c.address(), c.revision(), c.maxDelta(), c.flags(), ips,
                tags, List.copyOf(c.capabilities()));
    }

    @Override
    public Signed credential(CredentialContent c) {
        return of(credentialOf(c).sign(controller, c.timestamp()));
    }

    @Override
    public Signed config(ConfigContent c, Signed credential) {
        var mc = MemberCredential.parse(credential.pso()).orThrow();
        List<dev.planetary.vl2.Route> routes = new ArrayList<>();
        for (Route r : c.routes()) {
            routes.add(new dev.planetary.vl2.Route(inet(r.target().ip()), r.target().prefix(), Optional.ofNullable(r.via()).map(Vl2Issuer::inet),
                    r.metric()));
        }
        List<dev.planetary.vl2.TagDefinition> tags = new ArrayList<>();
        for (TagDefinition t : c.tags()) tags.add(new dev.planetary.vl2.TagDefinition(t.id(), t.defaultValue(), ""));
        List<Capability> caps = new ArrayList<>();
        for (CapabilityDefinition d : c.capabilities()) caps.add(new Capability(d.id(), new RuleList(d.rules())));
        // §11.4: absent base rules mean one ACCEPT, so that (a new network's rules) is not sent
        Optional<RuleList> rules = c.rules().equals(RuleCompiler.ACCEPT) ? Optional.empty() : Optional.of(new RuleList(c.rules()));
        List<dev.planetary.vl2.Specialist> specialists = new ArrayList<>();
        for (Specialist sp : c.specialists()) specialists.add(new dev.planetary.vl2.Specialist(sp.address(), sp.fingerprint(), sp.flags()));
        NetworkConfig config = new NetworkConfig(new NetworkId(c.networkId()), c.issuedTo(), c.revision(), c.flags(), c.mtu(),
                new RevocationReference(c.revocationListRevision(), Bytes.of(c.revocationListDigest())), OptionalInt.of(c.multicastLimit()),
                OptionalLong.empty(), c.name().isEmpty() ? Optional.empty() : Optional.of(c.name()), routes, rules, caps, tags,
                specialists, mc);
        return of(config.sign(controller, c.timestamp()));
    }

    @Override
    public Signed revocationList(RevocationListContent c) {
        List<Revocation> entries = new ArrayList<>();
        c.entries().forEach((prefix, threshold) -> entries.add(new Revocation(Bytes.of(HexFormat.of().parseHex(prefix)), threshold)));
        return of(new RevocationList(new NetworkId(c.networkId()), c.revision(), c.floor(), entries).sign(controller, c.timestamp()));
    }

    private static Signed of(dev.planetary.vl2.Signed<?> s) {
        return new Signed(s.encoded(), s.digest());
    }
}
