package dev.planetary.vl2;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.TreeSet;

/** Random valid VL2 objects and messages from a seed (property tests, fuzz seeds). */
final class RandomObjects {
    private final SplittableRandom r;

    RandomObjects(long seed) {
        r = new SplittableRandom(seed);
    }

    int between(int lo, int hi) {
        return lo + r.nextInt(hi - lo + 1);
    }

    /** Mostly small counts, sometimes the limit. */
    int count(int max) {
        int k = r.nextInt(10);
        return k == 0 ? max : k < 3 ? 0 : between(1, Math.min(max, 4));
    }

    byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) r.nextInt(256);
        return b;
    }

    long u32() {
        return r.nextLong() & 0xffff_ffffL;
    }

    NetworkId nwid() {
        return new NetworkId(r.nextLong());
    }

    Fingerprint fingerprint() {
        return Fingerprint.of(bytes(Fingerprint.SIZE));
    }

    Address address() {
        long v;
        do v = r.nextLong() & 0xff_ffff_ffffL; while (!Address.isValid(v));
        return new Address(v);
    }

    MacAddress mac() {
        return new MacAddress(r.nextLong() & 0xffff_ffff_ffffL);
    }

    InetAddress ip() {
        try {
            return switch (r.nextInt(3)) {
                case 0 -> InetAddress.getByAddress(bytes(4));
                case 1 -> Inet6Address.getByAddress(null, bytes(16), -1);
                default -> { // IPv4-mapped IPv6 must stay IPv6
                    byte[] b = new byte[16];
                    b[10] = b[11] = (byte) 0xff;
                    System.arraycopy(bytes(4), 0, b, 12, 4);
                    yield Inet6Address.getByAddress(null, b, -1);
                }
            };
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    int prefixFor(InetAddress a) {
        return r.nextInt(Codec.maxPrefix(a) + 1);
    }

    private static final String[] TEXT = {"a", "Z", "0", "-", " ", "é", "日本", "😀", "ß", "x"};

    /** Random UTF-8 text of {@code min..max} bytes. */
    String text(int min, int max) {
        StringBuilder sb = new StringBuilder();
        int target = between(min, max);
        while (true) {
            String piece = TEXT[r.nextInt(TEXT.length)];
            int len = (sb + piece).getBytes(StandardCharsets.UTF_8).length;
            if (len > target) break;
            sb.append(piece);
            if (len == target) break;
        }
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < min) sb.append('a');
        return sb.toString();
    }

    String ascii(int min, int max) {
        StringBuilder sb = new StringBuilder();
        int n = between(min, max);
        for (int i = 0; i < n; i++) sb.append((char) between(0x20, 0x7e));
        return sb.toString();
    }

    List<Long> ascendingIds(int n) {
        TreeSet<Long> s = new TreeSet<>();
        while (s.size() < n) s.add(r.nextInt(4) == 0 ? u32() : (long) r.nextInt(1000));
        return new ArrayList<>(s);
    }

    /** Rule entries of known types (§11.3) with their fixed lengths, random values. */
    RuleList rules(int max) {
        int[] codes = {0, 1, 5, 24, 25, 26, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 44, 45, 46, 47, 48, 49, 50};
        Codec.Out o = new Codec.Out();
        int n = count(max);
        for (int i = 0; i < n; i++) {
            int code = codes[r.nextInt(codes.length)];
            int t = RuleList.isAction(code) ? code : code | (r.nextBoolean() ? 0x80 : 0);
            int len = RuleList.fixedLength(code);
            o.u8(t).u8(len).put(bytes(len));
        }
        return RuleList.of(o.toByteArray());
    }

    MemberCredential credential(NetworkId nwid, Fingerprint to) {
        List<AssignedAddress> ips = new ArrayList<>();
        for (int i = count(Vl2Limits.MAX_IP_ASSIGNMENTS); i > 0; i--) {
            InetAddress a = ip();
            ips.add(new AssignedAddress(new IpAssignment(a, prefixFor(a)), r.nextInt(4) == 0 ? r.nextInt(256) : 0));
        }
        List<Tag> tags = new ArrayList<>();
        for (long id : ascendingIds(count(Vl2Limits.MAX_TAGS))) tags.add(new Tag(id, u32()));
        return new MemberCredential(nwid, to, address(), u32(),
                between((int) Vl2Limits.MAX_DELTA_MIN, (int) Vl2Limits.MAX_DELTA_MAX), r.nextInt(4),
                ips, tags, ascendingIds(count(Vl2Limits.MAX_GRANTS)));
    }

    MemberCredential credential() {
        return credential(nwid(), fingerprint());
    }

    RevocationList revocationList() {
        TreeSet<Bytes> prefixes = new TreeSet<>((a, b) -> Revocation.comparePrefix(a, b));
        int n = r.nextInt(10) == 0 ? Vl2Limits.MAX_REVOCATIONS : count(20);
        while (prefixes.size() < n) prefixes.add(Bytes.of(bytes(Vl2Limits.REVOCATION_PREFIX_BYTES)));
        List<Revocation> entries = new ArrayList<>();
        for (Bytes p : prefixes) entries.add(new Revocation(p, r.nextLong()));
        return new RevocationList(nwid(), r.nextLong() | 1, r.nextBoolean() ? 0 : r.nextLong(), entries);
    }

    long timestamp() {
        return Fixtures.TS + r.nextInt(1_000_000_000);
    }

    /** A random config whose embedded MC is signed by {@code controller}. */
    NetworkConfig config(SecretIdentity controller) {
        NetworkId nwid = nwid();
        Fingerprint to = fingerprint();
        Signed<MemberCredential> mc = credential(nwid, to).sign(controller, timestamp());
        List<Route> routes = new ArrayList<>();
        for (int i = count(Vl2Limits.MAX_ROUTES); i > 0; i--) {
            InetAddress t = ip();
            routes.add(new Route(t, prefixFor(t), r.nextBoolean() ? Optional.empty() : Optional.of(ip()), r.nextInt(65536)));
        }
        List<Capability> caps = new ArrayList<>();
        for (long id : ascendingIds(count(8))) caps.add(new Capability(id, rules(Vl2Limits.MAX_CAPABILITY_RULES)));
        List<TagDefinition> tags = new ArrayList<>();
        for (long id : ascendingIds(count(Vl2Limits.MAX_TAG_DEFINITIONS))) tags.add(new TagDefinition(id, u32(), text(0, Vl2Limits.TAG_NAME_MAX_BYTES)));
        List<Specialist> specialists = new ArrayList<>();
        for (int i = count(8); i > 0; i--) specialists.add(new Specialist(address(), fingerprint(), r.nextLong()));
        return new NetworkConfig(nwid, to, r.nextLong(), r.nextLong(), between(Vl2Limits.MTU_MIN, Vl2Limits.MTU_MAX),
                new RevocationReference(r.nextLong(), Bytes.of(bytes(48))),
                r.nextBoolean() ? OptionalInt.empty() : OptionalInt.of(between(1, 240)),
                r.nextBoolean() ? OptionalLong.empty() : OptionalLong.of(u32()),
                r.nextBoolean() ? Optional.empty() : Optional.of(text(1, Vl2Limits.NAME_MAX_BYTES)),
                routes, r.nextBoolean() ? Optional.empty() : Optional.of(rules(Vl2Limits.MAX_RULES)),
                caps, tags, specialists, mc);
    }

    // ---- messages ------------------------------------------------------------------------------

    private static Signed<MemberCredential> mc;
    private static Signed<RevocationList> list;
    private static Signed<NetworkConfig> cfg;

    /** Signed fixtures for messages that carry PSOs (signed once per JVM). */
    static synchronized void signFixtures() {
        if (mc != null) return;
        mc = Fixtures.credential().sign(Fixtures.controller(), Fixtures.TS);
        list = Fixtures.revocationList().sign(Fixtures.controller(), Fixtures.TS);
        cfg = Fixtures.config(mc, list).sign(Fixtures.controller(), Fixtures.TS + 1);
    }

    int nonZero() {
        int v;
        do v = r.nextInt(); while (v == 0);
        return v;
    }

    MulticastGroup group() {
        return new MulticastGroup(mac(), u32());
    }

    GatherReply gatherReply() {
        boolean identities = r.nextBoolean();
        List<GatherReply.Member> members = new ArrayList<>();
        for (int i = r.nextInt(8) == 0 ? Vl2Limits.MULTICAST_LIMIT_MAX : between(1, 5); i > 0; i--) {
            members.add(new GatherReply.Member(address(), identities ? Optional.of(Bytes.of(bytes(dev.planetary.identity.Identity.SIZE))) : Optional.empty()));
        }
        return new GatherReply(nwid(), group(), u32(), r.nextBoolean(), members);
    }

    Optional<String> maybe(String s) {
        return r.nextBoolean() ? Optional.empty() : Optional.of(s);
    }

    OptionalInt maybeInt(int max) {
        return r.nextBoolean() ? OptionalInt.empty() : OptionalInt.of(r.nextInt(max + 1));
    }

    NetworkConfigRequest request() {
        return new NetworkConfigRequest(nwid(), r.nextLong(), r.nextLong(), maybe(ascii(1, Vl2Limits.TOKEN_MAX_BYTES)),
                maybe(text(1, 40)), maybeInt(255), maybeInt(65535), maybeInt(65535), maybeInt(65535), maybe(text(1, 60)));
    }

    CredentialItem item() {
        signFixtures();
        return switch (r.nextInt(7)) {
            case 0 -> CredentialItem.Credential.of(mc);
            case 1 -> CredentialItem.RevocationListItem.of(list);
            case 2 -> new CredentialItem.QueryByAddress(address());
            case 3 -> new CredentialItem.QueryByFingerprint(fingerprint());
            case 4 -> new CredentialItem.QueryRevocationList();
            case 5 -> new CredentialItem.HeldRevision(r.nextLong());
            default -> new CredentialItem.Unknown(between(0x80, 0xff), Bytes.of(bytes(r.nextInt(20))));
        };
    }

    /** A random valid PORT_FORWARD (§12.8). */
    PortForward portForward() {
        int id = r.nextInt();
        return switch (r.nextInt(4)) {
            case 0 -> new PortForward.Open(id, nwid(), ip(), between(1, 65_535));
            case 1 -> new PortForward.OpenOk(id);
            case 2 -> new PortForward.Data(id, Bytes.of(bytes(r.nextInt(8) == 0 ? Vl2Limits.PORT_FORWARD_MAX_DATA : between(1, 2000))));
            default -> new PortForward.Close(id, r.nextInt(8) == 0 ? r.nextInt(256) : r.nextInt(4));
        };
    }

    Vl2Message message() {
        signFixtures();
        return switch (r.nextInt(8)) {
            case 0 -> request();
            case 6 -> new MulticastGather(nonZero(), nwid(), group(), between(1, 240));
            case 7 -> new MulticastFrame(nwid(),
                    r.nextBoolean() ? Optional.empty() : Optional.of(new MulticastFrame.Gather(nonZero(), between(1, 240))),
                    r.nextBoolean() ? Optional.empty() : Optional.of(address()), r.nextBoolean() ? Optional.empty() : Optional.of(mac()),
                    r.nextBoolean(), group(), r.nextInt(65536), Bytes.of(bytes(r.nextInt(1500))));
            case 1 -> new NetworkConfigMessage(nwid(), r.nextInt(256), Bytes.of(cfg.encoded()));
            case 2 -> {
                List<CredentialItem> items = new ArrayList<>();
                for (int i = between(1, 4); i > 0; i--) items.add(item());
                yield new NetworkCredentials(nwid(), items);
            }
            case 3 -> new Frame(nwid(), r.nextInt(65536), Bytes.of(bytes(r.nextInt(1500))));
            case 4 -> new ExtFrame(nwid(), mac(), mac(), r.nextInt(65536), Bytes.of(bytes(r.nextInt(1500))));
            default -> {
                List<MulticastGroup> g = new ArrayList<>();
                for (int i = r.nextInt(8) == 0 ? Vl2Limits.MAX_LIKE_GROUPS : between(1, 5); i > 0; i--) g.add(new MulticastGroup(mac(), u32()));
                yield new MulticastLike(nwid(), g);
            }
        };
    }
}
