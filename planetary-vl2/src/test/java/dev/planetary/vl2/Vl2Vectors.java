package dev.planetary.vl2;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.MacAddress;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl1.Verb;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The VL2 vectors (VL spec Appendix B.4 for this module): a Member Credential, a RevocationList and a
 * NetworkConfig signed with the B.1 identity at fixed timestamps (RFC 6979: deterministic), and every
 * VL2 message layout (and the OK(GATHER) body) with fixed values. {@link Vl2VectorGenerator} writes them to
 * {@code src/test/resources/vl2_vectors.json}; {@link Vl2VectorTest} re-derives them byte for byte.
 */
final class Vl2Vectors {
    private Vl2Vectors() {}

    static final ObjectMapper JSON = new ObjectMapper();
    static final String RESOURCE = "/vl2_vectors.json";
    static final long MC_TS = Fixtures.TS, LIST_TS = Fixtures.TS + 1000, CONFIG_TS = Fixtures.TS + 2000;

    record Objects(Signed<MemberCredential> mc, Signed<RevocationList> list, Signed<NetworkConfig> config) {}

    static Objects objects() {
        SecretIdentity key = Fixtures.controller();
        Signed<MemberCredential> mc = Fixtures.credential().sign(key, MC_TS);
        Signed<RevocationList> list = Fixtures.revocationList().sign(key, LIST_TS);
        return new Objects(mc, list, Fixtures.config(mc, list).sign(key, CONFIG_TS));
    }

    /** Name → message, in file order. */
    static Map<String, Vl2Message> messages(Objects o) {
        Map<String, Vl2Message> m = new LinkedHashMap<>();
        var n = Fixtures.NWID;
        m.put("network_config_request_join", new NetworkConfigRequest(n, 0, 0, Optional.of("aebsthnnkds7n2vmargstk56ctzni62lgovku4z"),
                Optional.of("planetary/0.1.0"), OptionalInt.of(1), OptionalInt.of(1024), OptionalInt.of(128), OptionalInt.of(128),
                Optional.of("node-a")));
        m.put("network_config_request_refresh", new NetworkConfigRequest(n, o.config().value().revision(), o.list().value().revision(),
                Optional.empty(), Optional.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(),
                Optional.empty()));
        m.put("network_config_reply", NetworkConfigMessage.of(o.config(), false));
        m.put("network_config_push", NetworkConfigMessage.of(o.config(), true));
        m.put("network_credentials_present", NetworkCredentials.of(n, CredentialItem.Credential.of(o.mc()),
                new CredentialItem.HeldRevision(o.list().value().revision())));
        m.put("network_credentials_revocation_list", NetworkCredentials.of(n, CredentialItem.RevocationListItem.of(o.list())));
        m.put("network_credentials_query_address", NetworkCredentials.of(n, new CredentialItem.QueryByAddress(Fixtures.MEMBER_ADDRESS)));
        m.put("network_credentials_query_fingerprint", NetworkCredentials.of(n, new CredentialItem.QueryByFingerprint(Fixtures.MEMBER)));
        m.put("network_credentials_query_list", NetworkCredentials.of(n, new CredentialItem.QueryRevocationList()));
        m.put("frame_arp", new Frame(n, 0x0806, Bytes.fromHex("0001080006040001")));
        m.put("ext_frame_bridged", new ExtFrame(n, MacAddress.parse("02:f3:da:ed:00:ed"), MacAddress.parse("52:54:00:12:34:56"), 0x0800,
                Bytes.fromHex("4500001c")));
        m.put("multicast_like", new MulticastLike(n, List.of(
                MulticastGroup.arp((java.net.Inet4Address) Fixtures.ip("10.147.17.5")),
                new MulticastGroup(MacAddress.parse("33:33:ff:00:00:01"), 0))));
        MulticastGroup arp = MulticastGroup.arp((java.net.Inet4Address) Fixtures.ip("10.147.17.6"));
        m.put("multicast_gather", new MulticastGather(0x0000_0031, n, arp, 32));
        Bytes arpRequest = Bytes.fromHex("0001080006040001" + "0289e9300c27" + "0a931105" + "000000000000" + "0a931106");
        m.put("multicast_frame_arp", MulticastFrame.of(n, arp, 0x0806, arpRequest));
        m.put("multicast_frame_gathering", new MulticastFrame(n, Optional.of(new MulticastFrame.Gather(0x0000_0032, 31)), Optional.empty(),
                Optional.empty(), false, arp, 0x0806, arpRequest));
        m.put("multicast_frame_replicated", new MulticastFrame(n, Optional.empty(), Optional.of(Fixtures.MEMBER_ADDRESS),
                Optional.of(MacAddress.parse("52:54:00:12:34:56")), true, new MulticastGroup(MacAddress.BROADCAST, 0), 0x0800, Bytes.fromHex("45")));
        return m;
    }

    /** Name → OK(GATHER) body, in file order. */
    static Map<String, GatherReply> gatherReplies() {
        Map<String, GatherReply> m = new LinkedHashMap<>();
        MulticastGroup arp = MulticastGroup.arp((java.net.Inet4Address) Fixtures.ip("10.147.17.6"));
        m.put("gather_reply_member", new GatherReply(Fixtures.NWID, arp, 1, false, List.of(GatherReply.Member.of(Fixtures.MEMBER_ADDRESS))));
        m.put("gather_reply_controller", new GatherReply(Fixtures.NWID, arp, 1, true,
                List.of(GatherReply.Member.of(Fixtures.controller().identity(), Fixtures.controller().address()))));
        return m;
    }

    static ObjectNode document() {
        Objects o = objects();
        ObjectNode root = JSON.createObjectNode();
        root.put("description", "Planetary VL spec Appendix B.4 (VL2): a MemberCredential, a RevocationList and a NetworkConfig signed "
                + "with the B.1 identity (RFC 6979, deterministic), and every VL2 message layout of this module with fixed values");
        root.put("generator", "planetary-vl2 src/test/java/dev/planetary/vl2/Vl2VectorGenerator.java");
        SecretIdentity key = Fixtures.controller();
        ObjectNode iss = root.putObject("issuer");
        iss.put("source", "Appendix B.1 accepted candidate (counter 41), the controller of network f3da19d0f4000001");
        iss.put("fingerprint", key.fingerprint().toHex());
        iss.put("address", key.address().toString());
        ArrayNode objs = root.putArray("signed_objects");
        put(objs.addObject(), "member_credential", o.mc(), fields(o.mc().value()));
        put(objs.addObject(), "revocation_list", o.list(), fields(o.list().value()));
        put(objs.addObject(), "network_config", o.config(), fields(o.config().value()));
        ArrayNode msgs = root.putArray("messages");
        messages(o).forEach((name, m) -> {
            byte[] b = m.encode();
            ObjectNode v = msgs.addObject();
            v.put("name", name);
            v.put("verb", Verb.name(m.verb()));
            v.put("length", b.length);
            v.put("hex", Fixtures.HEX.formatHex(b));
        });
        ArrayNode bodies = root.putArray("ok_gather_bodies");
        gatherReplies().forEach((name, r) -> {
            byte[] b = r.body();
            bodies.addObject().put("name", name).put("length", b.length).put("hex", Fixtures.HEX.formatHex(b));
        });
        return root;
    }

    private static void put(ObjectNode o, String name, Signed<?> s, ObjectNode fields) {
        o.put("name", name);
        o.put("type", s.pso().type());
        o.put("timestamp", s.timestamp());
        o.set("fields", fields);
        o.put("body", Fixtures.HEX.formatHex(s.pso().body()));
        o.put("digest_sha384", Fixtures.HEX.formatHex(s.digest()));
        o.put("signature_p1363", Fixtures.HEX.formatHex(s.pso().signature()));
        o.put("length", s.encoded().length);
        o.put("encoded", Fixtures.HEX.formatHex(s.encoded()));
    }

    static ObjectNode fields(MemberCredential mc) {
        ObjectNode f = JSON.createObjectNode();
        f.put("network_id", mc.networkId().toString());
        f.put("issued_to", mc.issuedTo().toHex());
        f.put("issued_to_address", mc.issuedToAddress().toString());
        f.put("revision", mc.revision());
        f.put("max_delta", mc.maxDelta());
        f.put("flags", mc.flags());
        ArrayNode ips = f.putArray("ip_assignments");
        mc.addresses().forEach(a -> ips.add(a.ip() + " flags " + a.flags()));
        ArrayNode tags = f.putArray("tags");
        mc.tags().forEach(t -> tags.addArray().add(t.id()).add(t.value()));
        ArrayNode caps = f.putArray("capability_grants");
        mc.capabilities().forEach(caps::add);
        return f;
    }

    static ObjectNode fields(RevocationList l) {
        ObjectNode f = JSON.createObjectNode();
        f.put("network_id", l.networkId().toString());
        f.put("revision", l.revision());
        f.put("floor", l.floor());
        ArrayNode e = f.putArray("entries");
        l.entries().forEach(r -> e.addObject().put("prefix", r.prefix().hex()).put("threshold", r.threshold()));
        return f;
    }

    static ObjectNode fields(NetworkConfig c) {
        ObjectNode f = JSON.createObjectNode();
        f.put("network_id", c.networkId().toString());
        f.put("issued_to", c.issuedTo().toHex());
        f.put("revision", String.format("%016x", c.revision()));
        f.put("flags", c.flags());
        f.put("mtu", c.mtu());
        f.put("revocation_list_revision", c.revocations().revision());
        f.put("revocation_list_digest", c.revocations().digest().hex());
        c.multicastLimit().ifPresent(v -> f.put("multicast_limit", v));
        c.likeExpiry().ifPresent(v -> f.put("like_expiry", v));
        c.name().ifPresent(v -> f.put("name", v));
        ArrayNode routes = f.putArray("routes");
        c.routes().forEach(r -> routes.add(r.toString()));
        c.baseRules().ifPresent(r -> f.put("base_rules", r.encoded().hex()));
        ArrayNode caps = f.putArray("capabilities");
        c.capabilities().forEach(cap -> caps.addObject().put("id", cap.id()).put("rules", cap.rules().encoded().hex()));
        ArrayNode tags = f.putArray("tags");
        c.tags().forEach(t -> tags.addObject().put("id", t.id()).put("default", t.defaultValue()).put("name", t.name()));
        ArrayNode sp = f.putArray("specialists");
        c.specialists().forEach(s -> sp.addObject().put("address", s.address().toString()).put("fingerprint", s.fingerprint().toHex())
                .put("flags", s.flags()));
        f.put("member_credential", "the member_credential object above");
        return f;
    }
}
