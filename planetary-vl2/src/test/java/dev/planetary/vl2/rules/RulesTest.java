package dev.planetary.vl2.rules;

import static dev.planetary.vl2.rules.Frames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Address;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.Capability;
import dev.planetary.vl2.RuleList;
import dev.planetary.vl2.Tag;
import dev.planetary.vl2.TagDefinition;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The rules engine (VL.md §11): each match type with and without NOT, the §11.1 evaluation, the §11.4 decision, §11.6 tags, §11.2/§11.7 validation. */
class RulesTest {
    static final NetworkId NWID = new NetworkId(0x8056c2e21c000001L);
    static final long S = 0x1122334455L, R = 0x66778899aaL;
    static final long S_MAC = MacAddress.derive(NWID, S).value(), R_MAC = MacAddress.derive(NWID, R).value();
    static final Subject SENDER = Subject.of(new Address(S), List.of(new Tag(1, 10), new Tag(2, 0b1100)), List.of(),
            List.of(AssignedAddress.of(new IpAssignment(ip("10.0.0.1"), 24)), AssignedAddress.of(new IpAssignment(ip("fd00::1"), 88))));
    static final Subject RECEIVER = Subject.of(new Address(R), List.of(new Tag(1, 13), new Tag(2, 0b1010)), List.of(), List.of());
    static final List<TagDefinition> DEFS = List.of(new TagDefinition(1, 5, "role"), new TagDefinition(3, 77, "zone"));

    /** IPv4 TCP 10.0.0.1:40000 → 10.0.0.2:22 SYN, TOS 0x10, S → R. */
    static FrameFields tcp() {
        return parse(R_MAC, S_MAC, 0x0800, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0x10, TCP, 0, l4(TCP, 40000, 22, 0x002)));
    }

    static RuleSet set(RuleList base, Capability... caps) {
        return RuleSet.of(NWID, base, List.of(caps), DEFS);
    }

    /** Whether the single match {@code m} (then ACCEPT, else DROP) accepts {@code f} outbound from SENDER to {@code receiver}. */
    static boolean matches(UnaryOperator<RuleBuilder> m, FrameFields f, Subject receiver) {
        RuleSet rs = set(m.apply(new RuleBuilder()).accept().drop().build());
        return Rules.decide(rs, f, false, SENDER, receiver) == Verdict.ACCEPTED;
    }

    /** Asserts the match is {@code expected} and its NOT is the opposite. */
    static void check(boolean expected, UnaryOperator<RuleBuilder> m, FrameFields f, String what) {
        assertEquals(expected, matches(m, f, RECEIVER), what);
        assertEquals(!expected, matches(b -> m.apply(b.not()), f, RECEIVER), "NOT " + what);
    }

    @Test
    void addressMacAndEthertypeMatches() {
        FrameFields f = tcp();
        check(true, b -> b.sourceAddress(S), f, "source address");
        check(false, b -> b.sourceAddress(R), f, "other source address");
        check(true, b -> b.destAddress(R), f, "dest address");
        assertFalse(matches(b -> b.destAddress(R), f, null), "DEST_ADDRESS is false with no receiver (multicast outbound)");
        check(true, b -> b.macSource(S_MAC), f, "MAC source");
        check(false, b -> b.macSource(R_MAC), f, "other MAC source");
        check(true, b -> b.macDest(R_MAC), f, "MAC dest");
        check(true, b -> b.etherType(0x0800), f, "ethertype");
        check(false, b -> b.etherType(0x86dd), f, "other ethertype");
    }

    @Test
    void ipMatches() {
        FrameFields f = tcp();
        check(true, b -> b.ipv4Source((Inet4Address) ip("10.0.0.0"), 24), f, "IPv4 source in /24");
        check(false, b -> b.ipv4Source((Inet4Address) ip("10.0.1.0"), 24), f, "IPv4 source outside /24");
        check(true, b -> b.ipv4Source((Inet4Address) ip("99.9.9.9"), 0), f, "IPv4 /0");
        check(true, b -> b.ipv4Dest((Inet4Address) ip("10.0.0.2"), 32), f, "IPv4 dest /32");
        check(false, b -> b.ipv6Source((Inet6Address) ip("::"), 0), f, "IPv6 match on an IPv4 frame");
        FrameFields v6 = parse(R_MAC, S_MAC, 0x86dd, ipv6(ip("fd00::1"), ip("fd00::8:2"), 0x20, UDP, null, 0, 0, l4(UDP, 5, 6, 0)));
        check(true, b -> b.ipv6Source((Inet6Address) ip("fd00::"), 64), v6, "IPv6 source in /64");
        check(true, b -> b.ipv6Dest((Inet6Address) ip("fd00::8:0"), 112), v6, "IPv6 dest in /112");
        check(false, b -> b.ipv6Dest((Inet6Address) ip("fd00::9:0"), 112), v6, "IPv6 dest outside /112");
        check(true, b -> b.ipv6Dest((Inet6Address) ip("fd00::8:2"), 128), v6, "IPv6 /128");
        check(false, b -> b.ipv4Dest((Inet4Address) ip("0.0.0.0"), 0), v6, "IPv4 match on an IPv6 frame");
        check(true, b -> b.ipTos(0xfc, 0x10, 0x10), f, "TOS");
        check(true, b -> b.ipTos(0xfc, 0x20, 0x20), v6, "traffic class");
        check(false, b -> b.ipTos(0xff, 0x11, 0xff), f, "TOS out of range");
        check(true, b -> b.ipProtocol(TCP), f, "protocol");
        check(true, b -> b.ipProtocol(UDP), v6, "IPv6 next header");
    }

    @Test
    void portIcmpSizeAndVlanMatches() {
        FrameFields f = tcp();
        check(true, b -> b.destPorts(22, 22), f, "dest port");
        check(false, b -> b.destPorts(23, 1000), f, "dest port outside");
        check(true, b -> b.sourcePorts(32768, 65535), f, "source port range");
        FrameFields arp = parse(-1L, S_MAC, 0x0806, arp(1, S_MAC, ip("10.0.0.1"), ip("10.0.0.2")));
        check(false, b -> b.destPorts(0, 65535), arp, "ARP has no ports");
        FrameFields ping = parse(R_MAC, S_MAC, 0x0800, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0, ICMP, 0, l4(ICMP, 8, 3, 0)));
        check(true, b -> b.icmp(8, -1), ping, "ICMP type, any code");
        check(true, b -> b.icmp(8, 3), ping, "ICMP type and code");
        check(false, b -> b.icmp(8, 0), ping, "ICMP other code");
        check(false, b -> b.icmp(0, -1), ping, "ICMP other type");
        check(false, b -> b.icmp(8, -1), f, "ICMP on TCP");
        check(true, b -> b.frameSize(40, 40), f, "frame size");
        check(false, b -> b.frameSize(41, 1500), f, "frame size outside");
        FrameFields tagged = parse(R_MAC, S_MAC, 0x8100, vlan(7, 0x0800, ipv4(ip("10.0.0.1"), ip("10.0.0.2"), 0, UDP, 0, l4(UDP, 1, 2, 0))));
        check(true, b -> b.vlanId(7), tagged, "VLAN id");
        check(false, b -> b.vlanId(8), tagged, "other VLAN id");
        check(false, b -> b.vlanId(0), f, "VLAN on an untagged frame");
    }

    @Test
    void characteristics() {
        FrameFields f = tcp();
        check(true, b -> b.characteristics(RuleType.TCP_SYN), f, "SYN");
        check(false, b -> b.characteristics(RuleType.TCP_ACK | RuleType.TCP_RST), f, "ACK or RST");
        check(false, b -> b.characteristics(RuleType.INBOUND), f, "INBOUND outbound");
        check(true, b -> b.characteristics(RuleType.SENDER_MAC_AUTHENTICATED), f, "MAC derived from the sender");
        check(true, b -> b.characteristics(RuleType.SENDER_IP_AUTHENTICATED), f, "10.0.0.1 is the sender's");
        check(false, b -> b.characteristics(RuleType.MULTICAST | RuleType.BROADCAST), f, "unicast");
        RuleSet rs = set(new RuleBuilder().characteristics(RuleType.INBOUND).accept().drop().build());
        assertEquals(Verdict.ACCEPTED, Rules.decide(rs, f, true, SENDER, RECEIVER));
        FrameFields spoof = parse(R_MAC, R_MAC, 0x0800, ipv4(ip("10.0.0.9"), ip("10.0.0.2"), 0, UDP, 0, l4(UDP, 1, 2, 0)));
        check(false, b -> b.characteristics(RuleType.SENDER_MAC_AUTHENTICATED | RuleType.SENDER_IP_AUTHENTICATED), spoof, "not the sender's MAC nor IP");
        FrameFields bcast = parse(-1L, S_MAC, 0x0806, arp(1, S_MAC, ip("10.0.0.1"), ip("10.0.0.2")));
        check(true, b -> b.characteristics(RuleType.BROADCAST), bcast, "broadcast");
        check(true, b -> b.characteristics(RuleType.MULTICAST), bcast, "broadcast is multicast");
        check(true, b -> b.characteristics(RuleType.SENDER_IP_AUTHENTICATED), bcast, "ARP sender address owned");
        FrameFields mcast = parse(0x3333_0000_0001L, S_MAC, 0x86dd, ipv6(ip("fd00::1"), ip("ff02::1"), 0, UDP, null, 0, 0, l4(UDP, 1, 2, 0)));
        check(true, b -> b.characteristics(RuleType.MULTICAST), mcast, "multicast");
        check(false, b -> b.characteristics(RuleType.BROADCAST), mcast, "multicast is not broadcast");
        check(true, b -> b.characteristics(RuleType.SENDER_IP_AUTHENTICATED), mcast, "fd00::1 exactly assigned");
    }

    @Test
    void tagMatchesUseEffectiveValues() {
        FrameFields f = tcp();
        // sender: tag1 = 10, tag2 = 0b1100; receiver: tag1 = 13, tag2 = 0b1010; tag 3: both default 77; tag 4: undefined → 0
        check(true, b -> b.tags(RuleType.MATCH_TAGS_DIFFERENCE, 1, 3), f, "|10 − 13| ≤ 3");
        check(false, b -> b.tags(RuleType.MATCH_TAGS_DIFFERENCE, 1, 2), f, "|10 − 13| > 2");
        check(true, b -> b.tags(RuleType.MATCH_TAGS_BITWISE_AND, 2, 0b1000), f, "AND");
        check(true, b -> b.tags(RuleType.MATCH_TAGS_BITWISE_OR, 2, 0b1110), f, "OR");
        check(true, b -> b.tags(RuleType.MATCH_TAGS_BITWISE_XOR, 2, 0b0110), f, "XOR");
        check(true, b -> b.tags(RuleType.MATCH_TAGS_EQUAL, 3, 77), f, "both at the config default");
        check(false, b -> b.tags(RuleType.MATCH_TAGS_EQUAL, 1, 10), f, "only the sender has 10");
        check(true, b -> b.tagSender(1, 10), f, "sender");
        check(true, b -> b.tagReceiver(1, 13), f, "receiver");
        check(true, b -> b.tagSender(4, 0), f, "undefined tag is 0, never missing");
        assertTrue(matches(b -> b.tagReceiver(1, 5), f, null), "no receiver: its tags take the defaults");
        assertTrue(matches(b -> b.tagReceiver(1, 5), f, Subject.unknown(new Address(R))), "unknown receiver: defaults");
        check(true, b -> b.tags(RuleType.MATCH_TAGS_DIFFERENCE, 0xffff_ffffL, 0), f, "u32 ids");
    }

    @Test
    void evaluationIsAConjunctionUntilEachAction() {
        FrameFields f = tcp();
        byte[] list = new RuleBuilder().etherType(0x0800).destPorts(80, 80).accept() // false: conjunction reset at the action
                .ipProtocol(TCP).destPorts(22, 22).breakRules()                          // true
                .accept().build().encoded().toArray();
        RuleSet rs = set(RuleList.of(list));
        assertEquals(RuleType.ACTION_BREAK, Rules.evaluate(rs, list, f, 0, SENDER, RECEIVER));
        byte[] none = new RuleBuilder().etherType(0x86dd).drop().build().encoded().toArray();
        assertEquals(Rules.NOMATCH, Rules.evaluate(rs, none, f, 0, SENDER, RECEIVER));
        assertEquals(Rules.NOMATCH, Rules.evaluate(rs, new byte[0], f, 0, SENDER, RECEIVER));
        byte[] trailing = new RuleBuilder().accept().etherType(0x0800).build().encoded().toArray();
        assertEquals(RuleType.ACTION_ACCEPT, Rules.evaluate(rs, trailing, f, 0, SENDER, RECEIVER), "matches after the last action are ignored");
    }

    @Test
    void decisionProcedure() {
        FrameFields f = tcp();
        Subject grantedBoth = Subject.of(new Address(S), List.of(), List.of(3L, 9L), List.of());
        Capability dropper = new Capability(3, new RuleBuilder().destPorts(22, 22).drop().build());
        Capability breaker = new Capability(3, new RuleBuilder().breakRules().build());
        Capability acceptor = new Capability(9, new RuleBuilder().destPorts(22, 22).accept().build());
        Capability ungranted = new Capability(5, new RuleBuilder().accept().build());
        RuleList brk = new RuleBuilder().destPorts(22, 22).breakRules().accept().build();

        assertEquals(Verdict.ACCEPTED, Rules.decide(set(RuleList.ACCEPT), f, false, SENDER, RECEIVER), "absent base rules = ACCEPT");
        assertEquals(Verdict.DROPPED_NO_CAPABILITY, Rules.decide(set(RuleList.EMPTY), f, false, SENDER, RECEIVER), "empty list: NOMATCH, no capability");
        assertEquals(Verdict.DROPPED, Rules.decide(set(new RuleBuilder().drop().build(), acceptor), f, false, grantedBoth, RECEIVER),
                "a base DROP is final: capabilities are not consulted");
        assertEquals(Verdict.ACCEPTED_BY_CAPABILITY, Rules.decide(set(brk, dropper, acceptor), f, false, grantedBoth, RECEIVER),
                "BREAK: capability 3 drops, passes to 9 which accepts (DROP-then-capability)");
        assertEquals(Verdict.ACCEPTED_BY_CAPABILITY, Rules.decide(set(brk, breaker, acceptor), f, true, grantedBoth, RECEIVER),
                "a capability's BREAK passes to the next");
        assertEquals(Verdict.DROPPED_NO_CAPABILITY, Rules.decide(set(brk, dropper, ungranted), f, false, grantedBoth, RECEIVER),
                "capability 5 is not granted to the sender");
        assertEquals(Verdict.DROPPED_NO_CAPABILITY, Rules.decide(set(brk, acceptor), f, false, RECEIVER, SENDER),
                "the receiver's grants do not count, the sender's do");
        assertEquals(Verdict.ACCEPTED, Rules.decide(set(brk, acceptor), parse(R_MAC, S_MAC, 0x0806, new byte[0]), false, SENDER, RECEIVER),
                "not port 22: the base ACCEPT after the BREAK");
        // capability order: ascending id, whatever the config's order
        Capability accept1 = new Capability(1, new RuleBuilder().accept().build());
        Subject granted1 = Subject.of(new Address(S), List.of(), List.of(1L), List.of());
        assertEquals(Verdict.ACCEPTED_BY_CAPABILITY, Rules.decide(set(RuleList.EMPTY, acceptor, accept1), f, false, granted1, RECEIVER));
    }

    @Test
    void prefixMatchesAgreeWithIpAssignmentContains() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            boolean v4 = r.nextBoolean();
            byte[] net = new byte[v4 ? 4 : 16], a = new byte[net.length];
            r.nextBytes(net);
            System.arraycopy(net, 0, a, 0, a.length);
            a[r.nextInt(a.length)] ^= (byte) (1 << r.nextInt(8)); // one bit off: inside or outside by the prefix
            int prefix = r.nextInt(v4 ? 33 : 129);
            boolean expected = new IpAssignment(java.net.InetAddress.getByAddress(net), prefix).contains(a);
            java.nio.ByteBuffer x = java.nio.ByteBuffer.wrap(a), n = java.nio.ByteBuffer.wrap(net);
            boolean got = v4 ? Rules.inPrefix(x.getInt(), n.getInt(), prefix) : Rules.inPrefix(x.getLong(), x.getLong(), n.getLong(), n.getLong(), prefix);
            assertEquals(expected, got, (v4 ? "IPv4" : "IPv6") + " /" + prefix + " case " + i);
        }
    }

    @Test
    void validationNamesTheEntryAndTheReason() {
        assertNull(RuleType.problem(new RuleBuilder().not().etherType(1).accept().build().encoded().toArray(), 1024));
        assertEquals("entry 1: unknown type 27 (§11.3)", RuleType.problem(new RuleBuilder().accept().entry(27, (byte) 1).toBytes(), 10));
        assertEquals("entry 0: ACTION_TEE is reserved (§11.3)", RuleType.problem(new RuleBuilder().entry(2).toBytes(), 10));
        assertEquals("entry 0: MATCH_ETHERTYPE has length 3, must be 2", RuleType.problem(new RuleBuilder().entry(37, new byte[] {8, 0, 0}).toBytes(), 10));
        assertEquals("entry 0: NOT on the action ACTION_DROP", RuleType.problem(new byte[] {(byte) 0x80, 0}, 10));
        assertEquals("entry 0: the OR bit (6) is set (not supported, §11.2)", RuleType.problem(new byte[] {0x40 | 37, 2, 8, 0}, 10));
        assertEquals("more than 2 entries", RuleType.problem(new RuleBuilder().accept().accept().accept().toBytes(), 2));
        assertEquals("entry 0: header truncated", RuleType.problem(new byte[] {1}, 10));
        InvalidRulesException e = assertThrows(InvalidRulesException.class,
                () -> set(RuleList.ACCEPT, new Capability(7, RuleList.of(new RuleBuilder().etherType(1).entry(51).toBytes()))));
        assertEquals("capability 7: entry 1: unknown type 51 (§11.3)", e.getMessage());
        RuleBuilder big = new RuleBuilder();
        for (int i = 0; i < 1025; i++) big.accept();
        assertThrows(IllegalArgumentException.class, () -> RuleSet.of(NWID, big.build(), List.of(), List.of()));
        assertTrue(RuleList.of(new byte[] {0x40 | 37, 2, 8, 0}).problem().contains("OR bit"));
    }
}
