package dev.planetary.vl1;

import dev.planetary.identity.Address;
import java.util.List;
import java.util.Objects;

/**
 * OK ({@code 0x03}): {@code 0x03 ‖ u8 in-re verb ‖ u32 in-re request id ‖ body} (§3.4). The body
 * depends on the verb answered:
 *
 * <ul>
 *   <li>{@link HelloReply} (§3.7): {@code u16 version ‖ u8 role flags ‖ 3 software version ‖ u64
 *       instance id ‖ Endpoint observed ‖ u16 T ‖ T bytes of TLVs (none defined)};
 *   <li>{@link EchoReply} (§3.8): {@code u64 echoed timestamp ‖ Endpoint observed};
 *   <li>{@link WhoisReply} (§3.9): {@code u8 m (0..32) ‖ m × (Address ‖ Identity)};
 *   <li>{@link Other}: any other verb (VL2 answers), body kept opaque for the layer that owns it.
 * </ul>
 */
public sealed interface Ok extends Vl1Message permits Ok.HelloReply, Ok.EchoReply, Ok.WhoisReply, Ok.Other {

    /** The verb this OK answers. */
    int inReVerb();

    /** The request id this OK answers. */
    int inReRequestId();

    @Override
    default int verb() {
        return Verb.OK;
    }

    /** OK(HELLO) (§3.7); {@code observed} is the source the HELLO came from ({@link Endpoint#NONE} when relayed). */
    record HelloReply(int inReRequestId, int protocolVersion, int roleFlags, SoftwareVersion software, long instanceId, Endpoint observed, List<Tlv> tlvs) implements Ok {
        public HelloReply {
            Vl1Message.requireU16(protocolVersion, "protocol version");
            Vl1Message.requireU8(roleFlags, "role flags");
            Objects.requireNonNull(software, "software");
            Objects.requireNonNull(observed, "observed");
            tlvs = List.copyOf(tlvs);
            Tlv.check(tlvs, List.of(), "OK(HELLO)");
        }

        @Override
        public int inReVerb() {
            return Verb.HELLO;
        }
    }

    /** OK(ECHO) (§3.8): goes back over the path the ECHO came on (the one exception of §3.5). */
    record EchoReply(int inReRequestId, long timestamp, Endpoint observed) implements Ok {
        public EchoReply {
            Objects.requireNonNull(observed, "observed");
        }

        @Override
        public int inReVerb() {
            return Verb.ECHO;
        }
    }

    /** One OK(WHOIS) record (§3.9): 5-byte Address ‖ 195-byte Identity (not verified here). */
    record WhoisRecord(Address address, Bytes identity) {
        public WhoisRecord {
            Objects.requireNonNull(address, "address");
            if (identity.length() != Vl1Limits.IDENTITY_BYTES) {
                throw new IllegalArgumentException("an Identity is " + Vl1Limits.IDENTITY_BYTES + " bytes, got " + identity.length());
            }
        }
    }

    /** OK(WHOIS) (§3.9): the records the root knows, at most 32; 0 records is "no answer" (§2.7). */
    record WhoisReply(int inReRequestId, List<WhoisRecord> records) implements Ok {
        public WhoisReply {
            records = List.copyOf(records);
            if (records.size() > Vl1Limits.MAX_WHOIS_ADDRESSES) {
                throw new IllegalArgumentException("OK(WHOIS) carries " + records.size() + " records; at most " + Vl1Limits.MAX_WHOIS_ADDRESSES);
            }
        }

        @Override
        public int inReVerb() {
            return Verb.WHOIS;
        }
    }

    /** OK for a verb this module does not interpret (e.g. MULTICAST_GATHER): the body is opaque. */
    record Other(int inReVerb, int inReRequestId, Bytes body) implements Ok {
        public Other {
            Vl1Message.requireU8(inReVerb, "in-re verb");
            if (inReVerb == Verb.HELLO || inReVerb == Verb.ECHO || inReVerb == Verb.WHOIS) {
                throw new IllegalArgumentException("OK(" + Verb.name(inReVerb) + ") has its own record type");
            }
            Objects.requireNonNull(body, "body");
        }
    }
}
