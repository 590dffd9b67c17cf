package dev.planetary.vl2;

import dev.planetary.identity.Address;
import dev.planetary.identity.Fingerprint;
import dev.planetary.identity.SecretIdentity;
import dev.planetary.nic.IpAssignment;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl1.Bytes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Fixed keys and objects shared by the tests and the vector generator. */
final class Fixtures {
    private Fixtures() {}

    static final HexFormat HEX = HexFormat.of();

    /** VL.md Appendix B.1 private scalars (identity f3da19d0f4). */
    static final String B1_D_DH = "fb5b84424428b4ca330fe4cddf89667723f5bb24b4b4bfb3f4d344da4c003cfdcb1e8487b4200200bca3c7a758a56899";
    static final String B1_D_SIG = "637ff5fd87bf5536a5ded153d346f99303259be2911c093ed613047aa137d79ef76b944e93bfe8e1d77be12d37f972f2";

    private static SecretIdentity b1;

    /** The B.1 identity as the controller (its address f3da19d0f4 makes nwid f3da19d0f4000001). */
    static synchronized SecretIdentity controller() {
        if (b1 == null) b1 = SecretIdentity.fromScalars(HEX.parseHex(B1_D_DH), HEX.parseHex(B1_D_SIG)).orThrow();
        return b1;
    }

    private static SecretIdentity other;

    /** A second identity (generated once per JVM: its PoW takes a moment). */
    static synchronized SecretIdentity other() {
        if (other == null) other = SecretIdentity.generate(new java.security.SecureRandom(), 1);
        return other;
    }

    static final NetworkId NWID = NetworkId.parse("f3da19d0f4000001");
    static final Address MEMBER_ADDRESS = Address.parse("89e92ceee5").orElseThrow();
    static final Fingerprint MEMBER = fingerprint(0x11);
    static final Fingerprint OTHER = fingerprint(0x22);

    /** A fingerprint of 48 bytes {@code seed, seed+1, …} (members need no keys in codec tests). */
    static Fingerprint fingerprint(int seed) {
        byte[] b = new byte[Fingerprint.SIZE];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (seed + i);
        return Fingerprint.of(b);
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static final long TS = 1_796_083_200_000L; // 2026-12-01T00:00:00Z

    /** The member credential of the vectors: one IPv4 and one IPv6 address, two tags, one grant. */
    static MemberCredential credential() {
        return new MemberCredential(NWID, MEMBER, MEMBER_ADDRESS, 7, Vl2Limits.MAX_DELTA_DEFAULT, 0,
                List.of(AssignedAddress.of(new IpAssignment(ip("10.147.17.5"), 24)),
                        new AssignedAddress(new IpAssignment(ip("fdf3:da19:d0f4::1"), 88), AssignedAddress.PREFIX_OWNED)),
                List.of(new Tag(1, 100), new Tag(0xffff_ffffL, 0xffff_ffffL)),
                List.of(3L));
    }

    static RevocationList revocationList() {
        return new RevocationList(NWID, 3, TS - 86_400_000L,
                List.of(Revocation.of(OTHER, TS - 1000), Revocation.of(fingerprint(0x80), TS + 5)));
    }

    static NetworkConfig config(Signed<MemberCredential> mc, Signed<RevocationList> list) {
        return new NetworkConfig(NWID, MEMBER, (2L << 32) | 7, NetworkConfig.FLAG_BROADCAST | NetworkConfig.FLAG_ARP_EMULATION,
                Vl2Limits.MTU_DEFAULT, RevocationReference.of(list), OptionalInt.of(32), OptionalLong.empty(),
                Optional.of("lab"), List.of(Route.onLink(ip("10.147.17.0"), 24),
                        new Route(ip("0.0.0.0"), 0, Optional.of(ip("10.147.17.1")), 100)),
                // ethertype IPv4 → ACCEPT; ethertype ARP → ACCEPT; DROP
                Optional.of(RuleList.of(HEX.parseHex("2502080001002502080601000000"))),
                // capability 3: destination port 22 → ACCEPT
                List.of(new Capability(3, RuleList.of(HEX.parseHex("2804001600160100")))),
                List.of(new TagDefinition(1, 0, "department")),
                List.of(new Specialist(Address.parse("0123456789").orElseThrow(), fingerprint(0x33), Specialist.BRIDGE)),
                mc);
    }

    static MacAddress mac(String s) {
        return MacAddress.parse(s);
    }

    static Bytes bytes(String hex) {
        return Bytes.fromHex(hex);
    }
}
