package dev.planetary.vl2.node;

import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.Signed;
import dev.planetary.vl2.rules.FrameFields;
import dev.planetary.vl2.rules.InvalidRulesException;
import dev.planetary.vl2.rules.RuleSet;
import dev.planetary.vl2.rules.TcpSyn;
import dev.planetary.vl2.rules.Rules;
import dev.planetary.vl2.rules.Subject;
import dev.planetary.vl2.rules.Verdict;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Port forwarding's rules (VL.md §12.8): the network's rules (§11.4) on a synthesised TCP SYN from
 * the initiator's assigned address of the target's family (the unspecified address when it has none)
 * and source port 0 (the OPEN does not carry the initiator's local port, so both ends use 0) to the
 * target address and port, between the two members' derived MACs — outbound at the initiator,
 * inbound at the target, each with the initiator's tags and grants as the sender's. A network not in
 * force here, or a peer without a credential, is denied. Runs on the node's thread.
 */
public final class ForwardRules implements PortForwarding.Rules {
    private final MemberNetworks networks;
    private final FrameFields fields = new FrameFields();
    private long denied;

    public ForwardRules(MemberNetworks networks) {
        this.networks = Objects.requireNonNull(networks, "networks");
    }

    @Override
    public boolean permits(NetworkId network, Fingerprint peer, InetAddress target, int port, boolean inbound) {
        Optional<MemberNetwork> n = networks.network(network);
        Optional<NetworkConfig> config = n.flatMap(MemberNetwork::config).map(Signed::value);
        Optional<MemberCredential> own = n.flatMap(MemberNetwork::ownCredential).map(Signed::value);
        Optional<MemberCredential> other = n.flatMap(x -> x.peerCredential(peer)).map(Signed::value);
        if (config.isEmpty() || own.isEmpty() || other.isEmpty()) {
            denied++;
            return false;
        }
        RuleSet rules;
        try {
            rules = RuleSet.of(config.get());
        } catch (InvalidRulesException e) {
            denied++;
            return false;
        }
        MemberCredential initiator = inbound ? other.get() : own.get(), responder = inbound ? own.get() : other.get();
        Verdict v = Rules.decide(rules, syn(network, initiator, responder, target, port), inbound, Subject.of(initiator), Subject.of(responder));
        if (!v.accepted()) denied++;
        return v.accepted();
    }

    /** OPENs this node's rules refused, either side. */
    public long denied() {
        return denied;
    }

    private FrameFields syn(NetworkId nwid, MemberCredential from, MemberCredential to, InetAddress target, int port) {
        boolean v4 = target instanceof Inet4Address;
        InetAddress src = from.addresses().stream().map(a -> a.ip().address()).filter(a -> (a instanceof Inet4Address) == v4).findFirst()
                .orElseGet(() -> unspecified(v4));
        return fields.parse(MacAddress.derive(nwid, to.issuedToAddress().value()).value(), MacAddress.derive(nwid, from.issuedToAddress().value()).value(),
                TcpSyn.ethertype(target), TcpSyn.payload(src, 0, target, port));
    }

    private static InetAddress unspecified(boolean v4) {
        try {
            return InetAddress.getByAddress(new byte[v4 ? 4 : 16]);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // a 4- or 16-byte address is always valid
        }
    }
}
