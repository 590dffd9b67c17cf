package dev.planetary.controller;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.Bytes;
import dev.planetary.vl2.Vl2Limits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The network and member objects of the controller API (VL.md §13.3), with ZeroTier's field names:
 * rendering, and applying a partial object (absent fields unchanged, unknown fields ignored, a bad
 * field a {@link FieldException} naming it). The store keeps the same JSON for the settings.
 */
public final class ControllerJson {
    /** Shared, configured once; thread-safe for reading and writing trees. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    /** Network fields that are stored and returned but not acted on (§13.3). */
    static final List<String> NETWORK_STORED = List.of("rulesSource", "rulesNotCompiled", "capabilitiesNotCompiled", "tagsByName", "capabilitiesByName",
            "dns", "ssoEnabled", "authorizationEndpoint", "clientId", "remoteTraceTarget", "remoteTraceLevel", "authTokens");
    /** Member fields that are stored and returned but not in credentials (§13.3). */
    static final List<String> MEMBER_STORED = List.of("name", "description", "ssoExempt", "authenticationExpiryTime",
            "remoteTraceTarget", "remoteTraceLevel", "lastAuthorizedCredentialType", "lastAuthorizedCredential");
    private static final String SIX_PLANE = "6plane";

    private ControllerJson() {}

    /** Parses a request body into an object; a body that is not one JSON object is a {@link FieldException} on "body". */
    public static ObjectNode parseObject(byte[] body) {
        if (body == null || body.length == 0) return MAPPER.createObjectNode();
        try {
            JsonNode n = MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
            if (n == null || n.isMissingNode()) return MAPPER.createObjectNode();
            if (!n.isObject()) throw new FieldException("body", "must be a JSON object");
            return (ObjectNode) n;
        } catch (JsonProcessingException e) {
            throw new FieldException("body", "malformed JSON (" + e.getOriginalMessage() + ")");
        }
    }

    public static String write(JsonNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode read(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored controller JSON is corrupt: " + e.getMessage(), e);
        }
    }

    // ---- networks

    /** The settings' writable fields (what the store keeps). */
    public static ObjectNode settings(NetworkSettings s) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("name", s.name());
        o.put("private", s.isPrivate());
        o.put("enableBroadcast", s.enableBroadcast());
        o.put("mtu", s.mtu());
        o.put("multicastLimit", s.multicastLimit());
        o.putObject("v4AssignMode").put("zt", s.v4AssignZt());
        ObjectNode v6 = o.putObject("v6AssignMode").put("zt", s.v6AssignZt()).put("rfc4193", s.v6Rfc4193());
        v6.set(SIX_PLANE, s.stored().has(SIX_PLANE) ? s.stored().get(SIX_PLANE) : MAPPER.getNodeFactory().booleanNode(false));
        ArrayNode pools = o.putArray("ipAssignmentPools");
        for (Pool p : s.pools()) pools.addObject().put("ipRangeStart", p.start().toString()).put("ipRangeEnd", p.end().toString());
        ArrayNode routes = o.putArray("routes");
        for (Route r : s.routes()) {
            ObjectNode ro = routes.addObject().put("target", r.target().toString());
            if (r.via() == null) ro.putNull("via");
            else ro.put("via", r.via().toString());
            ro.put("metric", r.metric());
        }
        ArrayNode tags = o.putArray("tags");
        for (TagDefinition t : s.tags()) tags.addObject().put("id", t.id()).put("default", t.defaultValue());
        o.put("arpEmulation", s.arpEmulation());
        o.put("credentialMaxDelta", s.credentialMaxDelta());
        o.put("allowUnownedSourceIps", s.allowUnownedSourceIps());
        o.set("rules", RuleCompiler.toJson(s.rules()));
        ArrayNode caps = o.putArray("capabilities");
        for (CapabilityDefinition c : s.capabilities()) caps.addObject().put("id", c.id()).set("rules", RuleCompiler.toJson(c.rules()));
        s.stored().fields().forEachRemaining(e -> {
            if (!e.getKey().equals(SIX_PLANE)) o.set(e.getKey(), e.getValue());
        });
        return o;
    }

    /** The API's network object (§13.3): settings plus the read-only fields (no specialists). */
    public static ObjectNode network(Network n) {
        return network(n, List.of());
    }

    /**
     * The API's network object (§13.3) with its read-only {@code specialists} (§7.4 field 0x0e):
     * [{"address", "fingerprint", "activeBridge", "multicastReplicator"}, …], as the configs list them.
     */
    public static ObjectNode network(Network n, List<Specialist> specialists) {
        ObjectNode o = MAPPER.createObjectNode();
        String id = NetworkIds.format(n.id());
        o.put("id", id).put("nwid", id).put("objtype", "network").put("revision", n.revision()).put("creationTime", n.creationTime());
        o.setAll(settings(n.settings()));
        ArrayNode sp = o.putArray("specialists");
        for (Specialist s : specialists) {
            sp.addObject().put("address", s.address().toString()).put("fingerprint", s.fingerprint().toBase32())
                    .put("activeBridge", (s.flags() & 1) != 0).put("multicastReplicator", (s.flags() & 2) != 0);
        }
        return o;
    }

    /** Applies a partial network object to {@code base}. */
    public static NetworkSettings applyNetwork(NetworkSettings base, ObjectNode patch) {
        String name = patch.has("name") ? text(patch, "name", ControllerLimits.NAME_MAX_BYTES, true) : base.name();
        boolean priv = bool(patch, "private", base.isPrivate());
        boolean bcast = bool(patch, "enableBroadcast", base.enableBroadcast());
        int mtu = (int) integer(patch, "mtu", base.mtu(), ControllerLimits.MTU_MIN, ControllerLimits.MTU_MAX);
        int mcl = (int) integer(patch, "multicastLimit", base.multicastLimit(), ControllerLimits.MULTICAST_LIMIT_MIN,
                ControllerLimits.MULTICAST_LIMIT_MAX);
        boolean v4 = base.v4AssignZt(), v6 = base.v6AssignZt(), rfc = base.v6Rfc4193();
        ObjectNode stored = base.stored().deepCopy();
        if (patch.has("v4AssignMode")) {
            ObjectNode m = object(patch, "v4AssignMode");
            v4 = bool(m, "zt", v4, "v4AssignMode.zt");
        }
        if (patch.has("v6AssignMode")) {
            ObjectNode m = object(patch, "v6AssignMode");
            v6 = bool(m, "zt", v6, "v6AssignMode.zt");
            rfc = bool(m, "rfc4193", rfc, "v6AssignMode.rfc4193");
            if (m.has(SIX_PLANE)) stored.put(SIX_PLANE, bool(m, SIX_PLANE, false, "v6AssignMode.6plane"));
        }
        List<Pool> pools = patch.has("ipAssignmentPools") ? pools(array(patch, "ipAssignmentPools", ControllerLimits.MAX_ROUTES)) : base.pools();
        List<Route> routes = patch.has("routes") ? routes(array(patch, "routes", ControllerLimits.MAX_ROUTES)) : base.routes();
        List<TagDefinition> tags = patch.has("tags") ? tagDefinitions(array(patch, "tags", ControllerLimits.MAX_TAGS)) : base.tags();
        boolean arp = bool(patch, "arpEmulation", base.arpEmulation());
        long maxDelta = integer(patch, "credentialMaxDelta", base.credentialMaxDelta(), ControllerLimits.MAX_DELTA_MIN, ControllerLimits.MAX_DELTA_MAX);
        boolean unowned = bool(patch, "allowUnownedSourceIps", base.allowUnownedSourceIps());
        Bytes rules = patch.has("rules") ? RuleCompiler.compile(patch.get("rules"), "rules", ControllerLimits.MAX_RULES) : base.rules();
        List<CapabilityDefinition> caps = patch.has("capabilities")
                ? capabilities(array(patch, "capabilities", ControllerLimits.MAX_CAPABILITIES)) : base.capabilities();
        for (String f : NETWORK_STORED) if (patch.has(f)) stored.set(f, patch.get(f));
        stored.remove(List.of("rules", "capabilities")); // compiled fields, never kept as sent (older stores kept them)
        NetworkSettings s = new NetworkSettings(name, priv, bcast, mtu, mcl, v4, v6, rfc, pools, routes, tags, arp, maxDelta, unowned, rules,
                caps, stored);
        int bound = s.configBodyBound();
        if (bound > Vl2Limits.MAX_PSO_BODY) {
            throw new FieldException(patch.has("capabilities") && !patch.has("rules") ? "capabilities" : "rules", "the network's config could reach "
                    + bound + " bytes, over the " + Vl2Limits.MAX_PSO_BODY + "-byte limit (VL.md §7.4): use fewer rules, capabilities, routes or tags");
        }
        return s;
    }

    private static List<Pool> pools(ArrayNode a) {
        List<Pool> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String f = "ipAssignmentPools[" + i + "]";
            if (!a.get(i).isObject()) throw new FieldException(f, "must be an object {ipRangeStart, ipRangeEnd}");
            ObjectNode p = (ObjectNode) a.get(i);
            Ip start = ip(p, "ipRangeStart", f + ".ipRangeStart"), end = ip(p, "ipRangeEnd", f + ".ipRangeEnd");
            try {
                out.add(new Pool(start, end));
            } catch (IllegalArgumentException e) {
                throw new FieldException(f, e.getMessage());
            }
        }
        return out;
    }

    private static List<Route> routes(ArrayNode a) {
        List<Route> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            String f = "routes[" + i + "]";
            if (!a.get(i).isObject()) throw new FieldException(f, "must be an object {target, via}");
            ObjectNode r = (ObjectNode) a.get(i);
            JsonNode t = r.get("target");
            Ip.Prefixed target = t != null && t.isTextual() ? Ip.Prefixed.parse(t.asText()).orElse(null) : null;
            if (target == null) throw new FieldException(f + ".target", "must be an address/prefix such as 10.147.17.0/24");
            JsonNode v = r.get("via");
            Ip via = v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty()) ? null : ip(r, "via", f + ".via");
            int metric = (int) integer(r, "metric", 0, 0, 0xFFFF, f + ".metric");
            try {
                out.add(new Route(target, via, metric));
            } catch (IllegalArgumentException e) {
                throw new FieldException(f, e.getMessage());
            }
        }
        return out;
    }

    private static List<TagDefinition> tagDefinitions(ArrayNode a) {
        List<TagDefinition> out = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            String f = "tags[" + i + "]";
            ObjectNode t = definition(a, i, f, "tag", "{id, default}", seen);
            out.add(new TagDefinition(t.get("id").longValue(), integer(t, "default", 0, 0, 0xFFFF_FFFFL, f + ".default")));
        }
        out.sort(java.util.Comparator.comparingLong(TagDefinition::id));
        return out;
    }

    /** ZeroTier's {@code [{id, rules}, …]} (§13.3): ids unique u32, each ≤ 64 entries (§11.7); ascending by id. */
    private static List<CapabilityDefinition> capabilities(ArrayNode a) {
        List<CapabilityDefinition> out = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            String f = "capabilities[" + i + "]";
            ObjectNode c = definition(a, i, f, "capability", "{id, rules}", seen);
            for (java.util.Iterator<String> it = c.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("id") && !k.equals("rules")) throw new FieldException(f + "." + k, "not a field of a capability (its fields: id, rules)");
            }
            if (!c.has("rules")) throw new FieldException(f + ".rules", "missing");
            out.add(new CapabilityDefinition(c.get("id").longValue(),
                    RuleCompiler.compile(c.get("rules"), f + ".rules", ControllerLimits.MAX_CAPABILITY_RULES)));
        }
        out.sort(java.util.Comparator.comparingLong(CapabilityDefinition::id));
        return out;
    }

    /** Element {@code i} of a list of definitions: an object with a u32 {@code id} not seen before (added to {@code seen}). */
    private static ObjectNode definition(ArrayNode a, int i, String f, String what, String shape, java.util.Set<Long> seen) {
        if (!a.get(i).isObject()) throw new FieldException(f, "must be an object " + shape);
        ObjectNode o = (ObjectNode) a.get(i);
        if (!o.has("id")) throw new FieldException(f + ".id", "missing");
        long id = integer(o, "id", 0, 0, 0xFFFF_FFFFL, f + ".id");
        if (!seen.add(id)) throw new FieldException(f + ".id", what + " " + id + " is defined twice");
        return o;
    }

    // ---- members

    /** The API's member object (§13.3). */
    public static ObjectNode member(Member m) {
        ObjectNode o = MAPPER.createObjectNode();
        String a = m.address().toString();
        o.put("id", a).put("address", a).put("nwid", NetworkIds.format(m.networkId())).put("objtype", "member");
        o.put("authorized", m.authorized()).put("activeBridge", m.activeBridge());
        ArrayNode ips = o.putArray("ipAssignments");
        for (Ip ip : m.ipAssignments()) ips.add(ip.toString());
        o.put("noAutoAssignIps", m.noAutoAssignIps());
        ArrayNode tags = o.putArray("tags");
        m.tags().forEach((id, v) -> tags.addArray().add(id).add(v));
        ArrayNode caps = o.putArray("capabilities");
        m.capabilities().forEach(caps::add);
        o.put("revision", m.revision()).put("creationTime", m.creationTime());
        o.put("lastAuthorizedTime", m.lastAuthorizedTime()).put("lastDeauthorizedTime", m.lastDeauthorizedTime());
        if (m.identity() == null) o.putNull("identity");
        else o.put("identity", m.identity());
        o.put("vMajor", -1).put("vMinor", -1).put("vRev", -1).put("vProto", -1);
        if (m.fingerprint() == null) o.putNull("fingerprint");
        else o.put("fingerprint", m.fingerprint().toString());
        o.put("lastRequestTime", m.lastRequestTime()).put("ratchetDowngraded", false);
        o.put("multicastReplicator", m.multicastReplicator()).put("credentialMaxDelta", m.credentialMaxDelta());
        if (!m.stored().has("name")) o.put("name", "");
        if (!m.stored().has("description")) o.put("description", "");
        o.setAll(m.stored());
        return o;
    }

    /** The member's writable fields and its stored extras (what the store keeps beside the key columns). */
    static ObjectNode memberData(Member m) {
        ObjectNode o = member(m);
        for (String k : List.of("id", "address", "nwid", "objtype", "authorized", "revision", "creationTime", "identity",
                "vMajor", "vMinor", "vRev", "vProto", "fingerprint", "lastRequestTime", "ratchetDowngraded")) {
            o.remove(k);
        }
        for (String k : List.of("name", "description")) if (!m.stored().has(k)) o.remove(k); // the API's defaults are not stored
        return o;
    }

    /** Applies a partial member object; {@code fingerprint} is handled by the engine (creation only). */
    static void applyMember(Member.Builder b, ObjectNode patch) {
        b.authorized = bool(patch, "authorized", b.authorized);
        b.activeBridge = bool(patch, "activeBridge", b.activeBridge);
        b.noAutoAssignIps = bool(patch, "noAutoAssignIps", b.noAutoAssignIps);
        b.multicastReplicator = bool(patch, "multicastReplicator", b.multicastReplicator);
        if (patch.has("credentialMaxDelta")) {
            long d = integer(patch, "credentialMaxDelta", 0, 0, ControllerLimits.MAX_DELTA_MAX);
            if (d != 0 && d < ControllerLimits.MAX_DELTA_MIN) {
                throw new FieldException("credentialMaxDelta", "0 (the network's) or " + ControllerLimits.MAX_DELTA_MIN + ".." + ControllerLimits.MAX_DELTA_MAX + " ms");
            }
            b.credentialMaxDelta = d;
        }
        if (patch.has("ipAssignments")) {
            ArrayNode a = array(patch, "ipAssignments", ControllerLimits.MAX_IPS);
            List<Ip> ips = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                JsonNode n = a.get(i);
                Ip ip = n.isTextual() ? Ip.parse(n.asText()).orElse(null) : null;
                if (ip == null) throw new FieldException("ipAssignments[" + i + "]", "must be an IPv4 or IPv6 address");
                if (!ips.contains(ip)) ips.add(ip);
            }
            b.ipAssignments = ips;
        }
        if (patch.has("tags")) b.tags = tagValues(array(patch, "tags", ControllerLimits.MAX_TAGS), "tags");
        if (patch.has("capabilities")) {
            ArrayNode a = array(patch, "capabilities", ControllerLimits.MAX_CAPABILITIES);
            SortedSet<Long> caps = new TreeSet<>();
            for (int i = 0; i < a.size(); i++) caps.add(u32(a.get(i), "capabilities[" + i + "]"));
            b.capabilities = caps;
        }
        for (String f : MEMBER_STORED) if (patch.has(f)) b.stored.set(f, patch.get(f));
        if (patch.has("name")) text(patch, "name", 255, true);
        if (patch.has("description")) text(patch, "description", 1024, true);
    }

    /** {@code [[id, value], …]} (ZeroTier's member tags, also a join token's initial tags). */
    static SortedMap<Long, Long> tagValues(ArrayNode a, String field) {
        SortedMap<Long, Long> tags = new TreeMap<>();
        for (int i = 0; i < a.size(); i++) {
            JsonNode p = a.get(i);
            String f = field + "[" + i + "]";
            if (!p.isArray() || p.size() != 2) throw new FieldException(f, "must be [id, value]");
            long id = u32(p.get(0), f + "[0]");
            if (tags.put(id, u32(p.get(1), f + "[1]")) != null) throw new FieldException(f + "[0]", "tag " + id + " is set twice");
        }
        if (tags.size() > ControllerLimits.MAX_TAGS) throw new FieldException(field, "at most " + ControllerLimits.MAX_TAGS + " tags");
        return tags;
    }

    /** Reads the stored member data back into a builder. */
    static void restoreMember(Member.Builder b, ObjectNode data) {
        applyMember(b, data);
        b.lastAuthorizedTime = data.path("lastAuthorizedTime").asLong(0);
        b.lastDeauthorizedTime = data.path("lastDeauthorizedTime").asLong(0);
    }

    static Fingerprint fingerprint(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw new FieldException(field, "must be a fingerprint text");
        return Fingerprint.parse(n.asText()).orElseThrow(() -> new FieldException(field, "not a valid fingerprint"));
    }

    // ---- field readers: each names the field it refuses

    static boolean bool(ObjectNode o, String f, boolean dflt) {
        return bool(o, f, dflt, f);
    }

    private static boolean bool(ObjectNode o, String f, boolean dflt, String name) {
        JsonNode n = o.get(f);
        if (n == null) return dflt;
        if (!n.isBoolean()) throw new FieldException(name, "must be true or false");
        return n.booleanValue();
    }

    static long integer(ObjectNode o, String f, long dflt, long min, long max) {
        return integer(o, f, dflt, min, max, f);
    }

    private static long integer(ObjectNode o, String f, long dflt, long min, long max, String name) {
        JsonNode n = o.get(f);
        if (n == null) return dflt;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw new FieldException(name, "must be an integer");
        long v = n.longValue();
        if (v < min || v > max) throw new FieldException(name, "must be in " + min + ".." + max);
        return v;
    }

    private static long u32(JsonNode n, String name) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0 || n.longValue() > 0xFFFF_FFFFL) {
            throw new FieldException(name, "must be an integer in 0..4294967295");
        }
        return n.longValue();
    }

    static String text(ObjectNode o, String f, int maxBytes, boolean allowEmpty) {
        JsonNode n = o.get(f);
        if (n == null || !n.isTextual()) throw new FieldException(f, "must be a string");
        String s = n.asText();
        if (s.getBytes(StandardCharsets.UTF_8).length > maxBytes) throw new FieldException(f, "at most " + maxBytes + " UTF-8 bytes");
        if (!allowEmpty && s.isEmpty()) throw new FieldException(f, "must not be empty");
        return s;
    }

    private static ObjectNode object(ObjectNode o, String f) {
        JsonNode n = o.get(f);
        if (n == null || !n.isObject()) throw new FieldException(f, "must be an object");
        return (ObjectNode) n;
    }

    static ArrayNode array(ObjectNode o, String f, int max) {
        JsonNode n = o.get(f);
        if (n == null || !n.isArray()) throw new FieldException(f, "must be an array");
        if (n.size() > max) throw new FieldException(f, "at most " + max + " entries");
        return (ArrayNode) n;
    }

    private static Ip ip(ObjectNode o, String f, String name) {
        JsonNode n = o.get(f);
        Ip ip = n != null && n.isTextual() ? Ip.parse(n.asText()).orElse(null) : null;
        if (ip == null) throw new FieldException(name, "must be an IPv4 or IPv6 address");
        return ip;
    }
}
