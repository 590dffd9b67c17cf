package dev.planetary.vl1;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * HELLO ({@code 0x01}), sent by both sides once per session (§3.7):
 *
 * <pre>
 * 0  1  verb 0x01
 * 1  4  request id
 * 5  2  VL protocol version (1)
 * 7  1  role flags: bit0 root, bit1 controller, bit2 behind an endpoint-dependent (symmetric) NAT
 * 8  3  software version major, minor, patch
 * 11 8  instance id (random u64 per process start)
 * 19 2  TLV length T
 * 21 T  TLVs: 0x81 root-set summary (repeatable, 16 bytes), 0x82 OS/arch string
 * </pre>
 *
 * Role flags are kept as sent (unknown bits included); they are claims (§3.7). A HELLO with another
 * protocol version decodes; the engine answers ERROR BAD_PROTOCOL_VERSION (§3.6).
 *
 * @param tlvs every TLV in wire order, unknown optional ones included
 */
public record Hello(int requestId, int protocolVersion, int roleFlags, SoftwareVersion software, long instanceId, List<Tlv> tlvs) implements Vl1Message {

    public static final int ROLE_ROOT = 0x01;
    public static final int ROLE_CONTROLLER = 0x02;
    public static final int ROLE_SYMMETRIC_NAT = 0x04;

    public static final int TLV_ROOT_SET_SUMMARY = 0x81;
    public static final int TLV_OS_ARCH = 0x82;

    /** §3.7: 0x81 is 16 bytes and repeatable; 0x82's length is not bounded beyond the message. */
    static final List<Tlv.Rule> TLV_RULES = List.of(
            Tlv.Rule.fixed(TLV_ROOT_SET_SUMMARY, 16, true),
            new Tlv.Rule(TLV_OS_ARCH, 0, 0xffff, false));

    public Hello {
        Vl1Message.requireRequestId(requestId, "HELLO");
        Vl1Message.requireU16(protocolVersion, "protocol version");
        Vl1Message.requireU8(roleFlags, "role flags");
        Objects.requireNonNull(software, "software");
        tlvs = List.copyOf(tlvs);
        Tlv.check(tlvs, TLV_RULES, "HELLO");
    }

    /** A version-1 HELLO with root-set summaries (only towards roots) and an optional OS/arch string. */
    public static Hello of(int requestId, int roleFlags, SoftwareVersion software, long instanceId, List<RootSetSummary> rootSets, String osArch) {
        List<Tlv> t = new ArrayList<>();
        for (RootSetSummary s : rootSets) t.add(s.toTlv());
        if (osArch != null) t.add(new Tlv(TLV_OS_ARCH, Bytes.of(osArch.getBytes(StandardCharsets.UTF_8))));
        return new Hello(requestId, Vl1Limits.PROTOCOL_VERSION, roleFlags, software, instanceId, t);
    }

    @Override
    public int verb() {
        return Verb.HELLO;
    }

    /** The {@code 0x81} summaries in wire order. */
    public List<RootSetSummary> rootSets() {
        List<RootSetSummary> out = new ArrayList<>();
        for (Tlv t : tlvs) if (t.type() == TLV_ROOT_SET_SUMMARY) out.add(RootSetSummary.fromTlv(t));
        return out;
    }

    /** The {@code 0x82} OS/arch string as raw bytes (peer-controlled: escape before printing). */
    public Optional<Bytes> osArch() {
        for (Tlv t : tlvs) if (t.type() == TLV_OS_ARCH) return Optional.of(t.value());
        return Optional.empty();
    }

    public boolean claimsRoot() {
        return (roleFlags & ROLE_ROOT) != 0;
    }

    public boolean claimsController() {
        return (roleFlags & ROLE_CONTROLLER) != 0;
    }

    public boolean behindSymmetricNat() {
        return (roleFlags & ROLE_SYMMETRIC_NAT) != 0;
    }
}
