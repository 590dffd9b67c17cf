package dev.planetary.vl2.rules;

import static dev.planetary.vl2.rules.RuleType.*;

import dev.planetary.vl2.RuleList;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;

/**
 * Writes a rule list in the wire encoding (VL.md §11.2): one method per §11.3 type, {@link #not()}
 * negating the next match. For tests, tools and benchmarks; the controller compiles its JSON form
 * (§11.8) to the same bytes. Not thread-safe.
 */
public final class RuleBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean not;
    private int entries;

    /** Negates the next match (§11.2 bit 7). */
    public RuleBuilder not() {
        not = true;
        return this;
    }

    /** One entry of type {@code code} with {@code value} (not checked: invalid lists are for tests). */
    public RuleBuilder entry(int code, byte... value) {
        out.write((not ? NOT : 0) | code);
        out.write(value.length);
        out.writeBytes(value);
        not = false;
        entries++;
        return this;
    }

    public RuleBuilder drop() { return action(ACTION_DROP); }
    public RuleBuilder accept() { return action(ACTION_ACCEPT); }
    public RuleBuilder breakRules() { return action(ACTION_BREAK); }

    private RuleBuilder action(int code) {
        if (not) throw new IllegalStateException("NOT applies to matches only (§11.2)");
        return entry(code);
    }

    public RuleBuilder sourceAddress(long a) { return entry(MATCH_SOURCE_ADDRESS, be(a, 5)); }
    public RuleBuilder destAddress(long a) { return entry(MATCH_DEST_ADDRESS, be(a, 5)); }
    public RuleBuilder vlanId(int id) { return entry(MATCH_VLAN_ID, be(id, 2)); }
    public RuleBuilder macSource(long mac) { return entry(MATCH_MAC_SOURCE, be(mac, 6)); }
    public RuleBuilder macDest(long mac) { return entry(MATCH_MAC_DEST, be(mac, 6)); }
    public RuleBuilder ipv4Source(Inet4Address a, int prefix) { return entry(MATCH_IPV4_SOURCE, cat(a.getAddress(), prefix)); }
    public RuleBuilder ipv4Dest(Inet4Address a, int prefix) { return entry(MATCH_IPV4_DEST, cat(a.getAddress(), prefix)); }
    public RuleBuilder ipv6Source(Inet6Address a, int prefix) { return entry(MATCH_IPV6_SOURCE, cat(a.getAddress(), prefix)); }
    public RuleBuilder ipv6Dest(Inet6Address a, int prefix) { return entry(MATCH_IPV6_DEST, cat(a.getAddress(), prefix)); }
    public RuleBuilder ipTos(int mask, int lo, int hi) { return entry(MATCH_IP_TOS, (byte) mask, (byte) lo, (byte) hi); }
    public RuleBuilder ipProtocol(int p) { return entry(MATCH_IP_PROTOCOL, (byte) p); }
    public RuleBuilder etherType(int t) { return entry(MATCH_ETHERTYPE, be(t, 2)); }
    /** {@code code} < 0: any code (flags bit0 clear). */
    public RuleBuilder icmp(int type, int code) { return entry(MATCH_ICMP, (byte) type, (byte) Math.max(code, 0), (byte) (code < 0 ? 0 : 1)); }
    public RuleBuilder sourcePorts(int lo, int hi) { return entry(MATCH_IP_SOURCE_PORT_RANGE, cat(be(lo, 2), be(hi, 2))); }
    public RuleBuilder destPorts(int lo, int hi) { return entry(MATCH_IP_DEST_PORT_RANGE, cat(be(lo, 2), be(hi, 2))); }
    public RuleBuilder characteristics(long mask) { return entry(MATCH_CHARACTERISTICS, be(mask, 8)); }
    public RuleBuilder frameSize(int lo, int hi) { return entry(MATCH_FRAME_SIZE_RANGE, cat(be(lo, 2), be(hi, 2))); }

    /** A tag match, {@code code} one of 44–50 (§11.3). */
    public RuleBuilder tags(int code, long id, long value) {
        if (code < MATCH_TAGS_DIFFERENCE || code > MATCH_TAG_RECEIVER) throw new IllegalArgumentException("not a tag match: " + code);
        return entry(code, cat(be(id, 4), be(value, 4)));
    }

    public RuleBuilder tagSender(long id, long value) { return tags(MATCH_TAG_SENDER, id, value); }
    public RuleBuilder tagReceiver(long id, long value) { return tags(MATCH_TAG_RECEIVER, id, value); }

    /** The entries written so far. */
    public int size() {
        return entries;
    }

    public byte[] toBytes() {
        return out.toByteArray();
    }

    public RuleList build() {
        return RuleList.of(toBytes());
    }

    private static byte[] be(long v, int n) {
        byte[] b = new byte[n];
        for (int i = n - 1; i >= 0; i--, v >>>= 8) b[i] = (byte) v;
        return b;
    }

    private static byte[] cat(byte[] a, int last) {
        return cat(a, new byte[] {(byte) last});
    }

    private static byte[] cat(byte[] a, byte[] b) {
        byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
