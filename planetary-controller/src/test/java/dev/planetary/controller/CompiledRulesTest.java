package dev.planetary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.planetary.identity.Address;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.Capability;
import dev.planetary.vl2.RuleList;
import dev.planetary.vl2.Tag;
import dev.planetary.vl2.TagDefinition;
import dev.planetary.vl2.rules.FrameFields;
import dev.planetary.vl2.rules.RuleSet;
import dev.planetary.vl2.rules.Rules;
import dev.planetary.vl2.rules.Subject;
import dev.planetary.vl2.rules.TcpSyn;
import dev.planetary.vl2.rules.Verdict;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The controller's compiled rules as a member evaluates them (VL.md §11.8 → §11.4): ZeroTier JSON
 * compiled by {@link RuleCompiler} is accepted by the member's engine ({@link RuleSet}) and decides
 * as written — §11.8's example, and "TCP 22 only from tag role = admin" with a capability.
 */
class CompiledRulesTest {
    static final NetworkId NWID = new NetworkId(0x8056c2e21c000001L);
    static final long A = 0x1122334455L, B = 0x66778899aaL;

    static RuleList compile(String json) throws Exception {
        return new RuleList(RuleCompiler.compile(ControllerJson.MAPPER.readTree(json.getBytes(StandardCharsets.UTF_8)), "rules", 1024));
    }

    static Verdict syn(RuleSet rules, Subject from, Subject to, int port, boolean inbound) throws Exception {
        FrameFields f = new FrameFields().parse(MacAddress.derive(NWID, to.address()).value(), MacAddress.derive(NWID, from.address()).value(),
                0x0800, TcpSyn.payload(InetAddress.getByName("10.0.0.1"), 40000, InetAddress.getByName("10.0.0.2"), port));
        return Rules.decide(rules, f, inbound, from, to);
    }

    @Test
    void theSpecsExampleDropsNonIpv4AndAcceptsPort22Only() throws Exception {
        RuleSet rules = RuleSet.of(NWID, compile("""
                [{"type":"MATCH_ETHERTYPE","not":true,"etherType":2048}, {"type":"ACTION_DROP"},
                 {"type":"MATCH_IP_DEST_PORT_RANGE","start":22,"end":22}, {"type":"ACTION_ACCEPT"}]"""), List.of(), List.of());
        Subject a = Subject.unknown(new Address(A)), b = Subject.unknown(new Address(B));
        assertEquals(Verdict.ACCEPTED, syn(rules, a, b, 22, false));
        assertEquals(Verdict.DROPPED_NO_CAPABILITY, syn(rules, a, b, 80, true), "NOMATCH and no capability");
        FrameFields arp = new FrameFields().parse(-1L, MacAddress.derive(NWID, A).value(), 0x0806, java.nio.ByteBuffer.allocate(28));
        assertEquals(Verdict.DROPPED, Rules.decide(rules, arp, false, a, null), "not IPv4: DROP");
    }

    @Test
    void tcp22OnlyFromAdminsOrWithTheSshCapability() throws Exception {
        RuleList base = compile("""
                [{"type":"MATCH_IP_PROTOCOL","ipProtocol":6}, {"type":"MATCH_IP_DEST_PORT_RANGE","start":22,"end":22},
                 {"type":"MATCH_TAG_SENDER","not":true,"id":1,"value":1}, {"type":"ACTION_BREAK"},
                 {"type":"ACTION_ACCEPT"}]""");
        Capability ssh = new Capability(7, compile("""
                [{"type":"MATCH_IP_DEST_PORT_RANGE","start":22,"end":22}, {"type":"ACTION_ACCEPT"}]"""));
        RuleSet rules = RuleSet.of(NWID, base, List.of(ssh), List.of(new TagDefinition(1, 0, "role")));
        Subject admin = Subject.of(new Address(A), List.of(new Tag(1, 1)), List.of(), List.of());
        Subject user = Subject.of(new Address(B), List.of(), List.of(), List.of());
        Subject granted = Subject.of(new Address(B), List.of(), List.of(7L), List.of());
        for (boolean inbound : new boolean[] {false, true}) {
            assertEquals(Verdict.ACCEPTED, syn(rules, admin, user, 22, inbound));
            assertEquals(Verdict.DROPPED_NO_CAPABILITY, syn(rules, user, admin, 22, inbound));
            assertEquals(Verdict.ACCEPTED_BY_CAPABILITY, syn(rules, granted, admin, 22, inbound));
            assertEquals(Verdict.ACCEPTED, syn(rules, user, admin, 80, inbound));
        }
    }
}
