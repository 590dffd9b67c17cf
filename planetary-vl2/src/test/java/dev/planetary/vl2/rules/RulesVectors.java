package dev.planetary.vl2.rules;

import static dev.planetary.vl2.rules.Frames.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The rules vectors (docs/vl2.md "Rules vectors"): seeded random cases of (frame × rule set × sender
 * and receiver credentials) with the verdict of §11.4 outbound (at the sender) and inbound (at the
 * receiver). {@link RulesVectorGenerator} writes them to {@value #RESOURCE} under
 * {@code src/test/resources}; {@link RulesVectorTest} replays them. Half the matches take their value
 * from the case's own frame or members, so that every type is seen both true and false.
 */
final class RulesVectors {
    private RulesVectors() {}

    static final ObjectMapper JSON = new ObjectMapper();
    static final String RESOURCE = "/vectors/rules/rules_vectors.json";
    static final long SEED = 0x5eed_0011L;
    static final int CASES = 320;
    static final NetworkId NWID = new NetworkId(0x8056c2e21c000001L);
    static final HexFormat HEX = HexFormat.of();

    /** One case, decoded: what {@link Rules#decide} needs. */
    record Case(String name, RuleSet rules, long dst, long src, int ethertype, byte[] payload, Subject sender, Subject receiver,
                boolean multicast, String outbound, String inbound, boolean mustAgree) {
        FrameFields frame() {
            return new FrameFields().parse(dst, src, ethertype, ByteBuffer.wrap(payload));
        }
    }

    // ---------------------------------------------------------------- generation

    static ObjectNode document() {
        SplittableRandom r = new SplittableRandom(SEED);
        ObjectNode doc = JSON.createObjectNode();
        doc.put("description", "Planetary rules engine vectors (VL.md §11): frame × rule set × sender/receiver credentials → "
                + "verdict outbound (at the sender) and inbound (at the receiver); generated with seed " + Long.toHexString(SEED));
        doc.put("network", NWID.toString());
        ArrayNode cases = doc.putArray("cases");
        for (int i = 0; i < CASES; i++) {
            cases.add(generate(r, i));
        }
        return doc;
    }

    private static final long[] ADDRESSES = {0x1122334455L, 0x66778899aaL, 0x0badc0ffeeL};

    private static ObjectNode generate(SplittableRandom r, int i) {
        int si = r.nextInt(3);
        long senderAddr = ADDRESSES[si], receiverAddr = ADDRESSES[(si + 1 + r.nextInt(2)) % 3];
        boolean multicast = r.nextInt(6) == 0;
        ObjectNode sender = member(r, senderAddr), receiver = member(r, receiverAddr);
        // the frame
        long srcMac = r.nextInt(8) == 0 ? 0x02_00_00_00_00_01L : MacAddress.derive(NWID, senderAddr).value();
        long dstMac = multicast ? (r.nextBoolean() ? 0xffff_ffff_ffffL : 0x3333_0000_0001L) : MacAddress.derive(NWID, receiverAddr).value();
        InetAddress srcIp4 = ip("10.1.0." + (1 + r.nextInt(4))), dstIp4 = ip("10.1.0." + (1 + r.nextInt(4)));
        InetAddress srcIp6 = ip("fd00::" + (1 + r.nextInt(4))), dstIp6 = ip("fd00::" + (1 + r.nextInt(4)));
        int[] protos = {TCP, UDP, SCTP, UDPLITE, ICMP};
        int proto = protos[r.nextInt(protos.length)];
        int ports[] = {22, 53, 80, 443, 40000};
        int a = proto == ICMP ? r.nextInt(3) * 4 : ports[r.nextInt(ports.length)], b = proto == ICMP ? r.nextInt(2) : ports[r.nextInt(ports.length)];
        int ethertype;
        byte[] payload;
        switch (r.nextInt(5)) {
            case 0, 1 -> {
                ethertype = 0x0800;
                payload = ipv4(srcIp4, dstIp4, r.nextInt(4) * 0x20, proto, r.nextInt(10) == 0 ? 100 : 0, l4(proto, a, b, r.nextInt(0x40)));
            }
            case 2 -> {
                ethertype = 0x86dd;
                int p6 = proto == ICMP ? ICMPV6 : proto;
                payload = ipv6(srcIp6, dstIp6, r.nextInt(4) * 0x20, p6, new int[] {0, 60, 44, 43}, r.nextInt(4), r.nextInt(8) == 0 ? 3 : 0,
                        l4(p6, proto == ICMP ? 128 + a : a, b, r.nextInt(0x40)));
            }
            case 3 -> {
                ethertype = 0x0806;
                payload = arp(1 + r.nextInt(2), srcMac, srcIp4, dstIp4);
                if (!multicast && r.nextBoolean()) dstMac = 0xffff_ffff_ffffL;
            }
            default -> {
                ethertype = 0x8100;
                payload = vlan(1 + r.nextInt(3), 0x0800, ipv4(srcIp4, dstIp4, 0, proto, 0, l4(proto, a, b, r.nextInt(0x40))));
            }
        }
        if (dstMac == 0xffff_ffff_ffffL) multicast = true;
        FrameFields f = new FrameFields().parse(dstMac, srcMac, ethertype, ByteBuffer.wrap(payload));
        // the rules
        List<TagDefinition> defs = new ArrayList<>();
        for (long id = 1; id <= 3; id++) if (r.nextBoolean()) defs.add(new TagDefinition(id, r.nextInt(4), "t" + id));
        List<Capability> caps = new ArrayList<>();
        for (long id = 1; id <= 4; id++) if (r.nextInt(3) > 0) caps.add(new Capability(id, list(r, f, senderAddr, receiverAddr, 1 + r.nextInt(6))));
        RuleList base = r.nextInt(12) == 0 ? null : list(r, f, senderAddr, receiverAddr, 1 + r.nextInt(12));
        ObjectNode c = JSON.createObjectNode();
        c.put("name", String.format("case-%03d", i));
        ObjectNode rules = c.putObject("rules");
        if (base == null) rules.putNull("base");
        else rules.put("base", base.encoded().hex());
        ArrayNode capsJson = rules.putArray("capabilities");
        for (Capability cap : caps) capsJson.addObject().put("id", cap.id()).put("rules", cap.rules().encoded().hex());
        ArrayNode defsJson = rules.putArray("tags");
        for (TagDefinition d : defs) defsJson.addObject().put("id", d.id()).put("default", d.defaultValue());
        c.putObject("frame").put("dst", mac(dstMac)).put("src", mac(srcMac)).put("ethertype", ethertype).put("payload", HEX.formatHex(payload));
        c.set("sender", sender);
        c.set("receiver", receiver);
        c.put("multicast", multicast);
        Case k = read(c);
        c.put("outbound", Rules.decide(k.rules(), f, false, k.sender(), multicast ? null : k.receiver()).name());
        c.put("inbound", Rules.decide(k.rules(), f, true, k.sender(), k.receiver()).name());
        c.put("mustAgree", mustAgree(k));
        return c;
    }

    private static ObjectNode member(SplittableRandom r, long address) {
        ObjectNode m = JSON.createObjectNode();
        m.put("address", new Address(address).toString());
        ArrayNode tags = m.putArray("tags");
        for (long id = 1; id <= 3; id++) if (r.nextBoolean()) tags.addObject().put("id", id).put("value", r.nextInt(4));
        ArrayNode grants = m.putArray("grants");
        for (long id = 1; id <= 5; id++) if (r.nextBoolean()) grants.add(id);
        ArrayNode addrs = m.putArray("addresses");
        if (r.nextBoolean()) addrs.add("10.1.0." + (1 + r.nextInt(4)) + "/24");
        if (r.nextInt(4) == 0) addrs.add("10.1.0.0/30+"); // '+': prefix owned (§8.1)
        if (r.nextBoolean()) addrs.add("fd00::" + (1 + r.nextInt(4)) + "/88");
        return m;
    }

    /** A random list of {@code n} conjunctions (1–3 matches each, half taking values from the frame) each closed by an action. */
    private static RuleList list(SplittableRandom r, FrameFields f, long s, long d, int n) {
        RuleBuilder b = new RuleBuilder();
        for (int i = 0; i < n; i++) {
            for (int m = r.nextInt(4); m > 0; m--) {
                if (r.nextBoolean()) b.not();
                match(r, b, f, s, d, r.nextBoolean());
            }
            switch (r.nextInt(3)) {
                case 0 -> b.drop();
                case 1 -> b.accept();
                default -> b.breakRules();
            }
        }
        return b.build();
    }

    private static void match(SplittableRandom r, RuleBuilder b, FrameFields f, long s, long d, boolean hit) {
        int port = hit && f.destinationPort() >= 0 ? f.destinationPort() : r.nextInt(4) * 20 + 22;
        switch (r.nextInt(20)) {
            case 0 -> b.sourceAddress(hit ? s : ADDRESSES[r.nextInt(3)]);
            case 1 -> b.destAddress(hit ? d : ADDRESSES[r.nextInt(3)]);
            case 2 -> b.vlanId(hit && f.vlanId() >= 0 ? f.vlanId() : 1 + r.nextInt(3));
            case 3 -> b.macSource(hit ? f.sourceMac() : MacAddress.derive(NWID, ADDRESSES[r.nextInt(3)]).value());
            case 4 -> b.macDest(hit ? f.destinationMac() : 0xffff_ffff_ffffL);
            case 5 -> b.ipv4Source((Inet4Address) ip("10.1.0." + (r.nextInt(4) + 1)), r.nextBoolean() ? 32 : 24 + r.nextInt(8));
            case 6 -> b.ipv4Dest((Inet4Address) ip("10.1.0." + (r.nextInt(4) + 1)), 30 + r.nextInt(3));
            case 7 -> b.ipv6Source((Inet6Address) ip("fd00::" + (r.nextInt(4) + 1)), 126 + r.nextInt(3));
            case 8 -> b.ipv6Dest((Inet6Address) ip("fd00::" + (r.nextInt(4) + 1)), r.nextBoolean() ? 64 : 127);
            case 9 -> b.ipTos(0xe0, r.nextInt(3) * 0x20, 0x20 + r.nextInt(3) * 0x20);
            case 10 -> b.ipProtocol(hit && f.ipProtocol() >= 0 ? f.ipProtocol() : new int[] {6, 17, 1, 58}[r.nextInt(4)]);
            case 11 -> b.etherType(hit ? f.etherType() : new int[] {0x0800, 0x86dd, 0x0806}[r.nextInt(3)]);
            case 12 -> b.icmp(hit && f.icmpType() >= 0 ? f.icmpType() : 8, r.nextBoolean() ? -1 : r.nextInt(2));
            case 13 -> b.sourcePorts(port - r.nextInt(2), port + r.nextInt(2));
            case 14 -> b.destPorts(port - r.nextInt(2), port);
            case 15 -> b.characteristics(new long[] {RuleType.INBOUND, RuleType.MULTICAST, RuleType.BROADCAST, RuleType.SENDER_IP_AUTHENTICATED,
                    RuleType.SENDER_MAC_AUTHENTICATED, RuleType.TCP_SYN, RuleType.TCP_ACK | RuleType.TCP_FIN}[r.nextInt(7)]);
            case 16 -> b.frameSize(hit ? f.payloadLength() - r.nextInt(4) : 100, hit ? f.payloadLength() : 200);
            default -> b.tags(RuleType.MATCH_TAGS_DIFFERENCE + r.nextInt(7), 1 + r.nextInt(3), r.nextInt(4));
        }
    }

    private static String mac(long m) {
        return new MacAddress(m).toString();
    }

    // ---------------------------------------------------------------- reading

    /** §11.4: outbound and inbound must agree unless the rules read INBOUND, or a multicast decision reads the receiver (absent outbound). */
    static boolean mustAgree(Case k) {
        boolean inboundBit = false, readsReceiver = false;
        for (byte[] list : lists(k.rules())) {
            for (int p = 0; p < list.length; p += 2 + (list[p + 1] & 0xff)) {
                int code = list[p] & RuleType.CODE_MASK;
                if (code == RuleType.MATCH_CHARACTERISTICS && (list[p + 2] & 0x80) != 0) inboundBit = true;
                if (code == RuleType.MATCH_DEST_ADDRESS || code >= RuleType.MATCH_TAGS_DIFFERENCE && code != RuleType.MATCH_TAG_SENDER) readsReceiver = true;
            }
        }
        return !inboundBit && !(k.multicast() && readsReceiver);
    }

    private static List<byte[]> lists(RuleSet rs) {
        List<byte[]> l = new ArrayList<>(List.of(rs.base));
        l.addAll(List.of(rs.capabilities));
        return l;
    }

    static Case read(JsonNode c) {
        JsonNode rules = c.get("rules");
        RuleList base = rules.get("base").isNull() ? RuleList.ACCEPT : RuleList.of(HEX.parseHex(rules.get("base").asText()));
        List<Capability> caps = new ArrayList<>();
        for (JsonNode x : rules.get("capabilities")) caps.add(new Capability(x.get("id").asLong(), RuleList.of(HEX.parseHex(x.get("rules").asText()))));
        List<TagDefinition> defs = new ArrayList<>();
        for (JsonNode x : rules.get("tags")) defs.add(new TagDefinition(x.get("id").asLong(), x.get("default").asLong(), ""));
        JsonNode f = c.get("frame");
        return new Case(c.get("name").asText(), RuleSet.of(NWID, base, caps, defs), MacAddress.parse(f.get("dst").asText()).value(),
                MacAddress.parse(f.get("src").asText()).value(), f.get("ethertype").asInt(), HEX.parseHex(f.get("payload").asText()),
                subject(c.get("sender")), subject(c.get("receiver")), c.get("multicast").asBoolean(),
                c.path("outbound").asText(null), c.path("inbound").asText(null), c.path("mustAgree").asBoolean(false));
    }

    private static Subject subject(JsonNode m) {
        List<Tag> tags = new ArrayList<>();
        for (JsonNode t : m.get("tags")) tags.add(new Tag(t.get("id").asLong(), t.get("value").asLong()));
        List<Long> grants = new ArrayList<>();
        for (JsonNode g : m.get("grants")) grants.add(g.asLong());
        List<AssignedAddress> owned = new ArrayList<>();
        for (JsonNode a : m.get("addresses")) {
            String s = a.asText();
            boolean prefixOwned = s.endsWith("+");
            String[] parts = s.replace("+", "").split("/");
            owned.add(new AssignedAddress(new IpAssignment(ip(parts[0]), Integer.parseInt(parts[1])), prefixOwned ? AssignedAddress.PREFIX_OWNED : 0));
        }
        return Subject.of(new Address(NetworkId.parseAddress(m.get("address").asText())), tags, grants, owned);
    }
}
