package dev.planetary.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.planetary.identity.internal.Ecdsa384;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * Generates the spec Appendix B.4 vectors of this module (PSOs of each type and a root-set update
 * lineage), all deterministic (RFC 6979). {@link VectorsB4Test} regenerates them in memory and
 * compares with the committed file; to rewrite the file:
 * {@code ./build mvn -pl planetary-identity -am test -Dtest=VectorsB4Test -Dsurefire.failIfNoSpecifiedTests=false -Dplanetary.writeVectors=true}.
 */
public final class VectorsB4 {
    static final String RESOURCE = "/vectors/identity_b4_vectors.json";
    static final Path SOURCE = Path.of("src/test/resources/vectors/identity_b4_vectors.json");
    static final HexFormat HEX = HexFormat.of();
    static final long TIMESTAMP = 1_700_000_000_000L;

    /** Placeholder body schema: VL2 bodies are defined later (spec §7.4, §8.1, §8.4). */
    static final Tlv.Schema PLACEHOLDER = Tlv.Schema.of(
            Tlv.Definition.fixed(0x01, 8),
            new Tlv.Definition(0x02, 0, 64, true),
            new Tlv.Definition(0x81, 1, 16, false));

    private VectorsB4() {}

    static byte[] placeholderBody(int type) {
        return new Tlv.Writer()
                .add(0x01, new byte[] {0, 0, 0, 0, 0, 0, 0, (byte) type})
                .add(0x02, "first".getBytes(StandardCharsets.US_ASCII))
                .add(0x02, "second".getBytes(StandardCharsets.US_ASCII))
                .add(0x81, new byte[] {0x7f})
                .add(0xc0, "ignored optional".getBytes(StandardCharsets.US_ASCII))
                .toBytes();
    }

    /** d = int(SHA-384(label)) mod (n − 1) + 1, as in Appendix B.1. */
    static byte[] scalar(String label) {
        BigInteger n = new BigInteger(1, dev.planetary.identity.internal.ScalarN.N_BYTES);
        BigInteger d = new BigInteger(1, Ecdsa384.sha384(label.getBytes(StandardCharsets.US_ASCII)))
                .mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        byte[] m = d.toByteArray(), out = new byte[48];
        int len = Math.min(48, m.length);
        System.arraycopy(m, m.length - len, out, 48 - len, len);
        return out;
    }

    static ObjectNode generate() {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("description", "Planetary VL spec Appendix B.4 (identity module): a PSO of each type signed with the B.1 identity, "
                + "and a root set with a revision-2 update signed by a key of revision 1 (valid) and by a key listed only in revision 2 (invalid)");
        root.put("generator", "planetary-identity src/test/java/dev/planetary/identity/VectorsB4.java");
        SecretIdentity issuer = Fixtures.b1();
        ObjectNode iss = root.putObject("issuer");
        iss.put("source", "Appendix B.1 accepted candidate (counter 41)");
        iss.put("identity_195", HEX.formatHex(issuer.identity().encoded()));
        iss.put("fingerprint", issuer.fingerprint().toHex());
        iss.put("address", issuer.address().toString());

        ObjectNode pso = root.putObject("pso");
        pso.put("note", "Body fields are PLACEHOLDERS, not VL2 bodies (those are defined later): type 0x01 fixed 8 bytes "
                + "(u64 = the object type), 0x02 repeatable 0..64 bytes, 0x81 optional 1..16 bytes, and an unknown optional "
                + "0xc0 that receivers skip. Header, signing and digest are the real PSO format.");
        pso.put("timestamp", TIMESTAMP);
        ArrayNode objs = pso.putArray("objects");
        String[] names = {null, null, "NetworkConfig", "MemberCredential", "RevocationList"};
        for (int type = Pso.NETWORK_CONFIG; type <= Pso.REVOCATION_LIST; type++) {
            byte[] body = placeholderBody(type);
            Pso p = Pso.sign(issuer, type, TIMESTAMP, body, PLACEHOLDER);
            ObjectNode o = objs.addObject();
            o.put("type", type);
            o.put("type_name", names[type]);
            o.put("body", HEX.formatHex(body));
            o.put("digest_sha384", HEX.formatHex(p.digest()));
            o.put("signature_p1363", HEX.formatHex(p.signature()));
            o.put("encoded", HEX.formatHex(p.encoded()));
            o.put("length", p.encoded().length);
        }

        ObjectNode rs = root.putObject("root_sets");
        UpdateKey k1 = UpdateKey.fromScalar(scalar("planetary vl-spec test vector update key 1")).orElseThrow();
        UpdateKey k2 = UpdateKey.fromScalar(scalar("planetary vl-spec test vector update key 2")).orElseThrow();
        rs.put("scalar_derivation", "d = int(SHA-384(label)) mod (n - 1) + 1, labels 'planetary vl-spec test vector update key 1' and '... key 2'");
        rs.put("update_key_1_scalar", HEX.formatHex(scalar("planetary vl-spec test vector update key 1")));
        rs.put("update_key_1", HEX.formatHex(k1.publicKey()));
        rs.put("update_key_2_scalar", HEX.formatHex(scalar("planetary vl-spec test vector update key 2")));
        rs.put("update_key_2", HEX.formatHex(k2.publicKey()));
        List<RootSet.Root> roots = List.of(new RootSet.Root(issuer.identity(),
                List.of(Endpoint.parse("192.0.2.1/9993").orElseThrow(), Endpoint.parse("[2001:db8::1]/9993").orElseThrow())));
        rs.put("roots", "one root: the B.1 identity at 192.0.2.1/9993 and [2001:db8::1]/9993");
        RootSet r1 = RootSet.create(k1, "example", 1, TIMESTAMP, List.of(k1.publicKey()), roots);
        RootSet r2ByK1 = RootSet.create(k1, "example", 2, TIMESTAMP + 1000, List.of(k2.publicKey()), roots);
        RootSet r2ByK2 = RootSet.create(k2, "example", 2, TIMESTAMP + 1000, List.of(k2.publicKey()), roots);
        put(rs.putObject("revision_1"), r1, "update keys [key 1], signed by key 1; standalone-valid", true);
        put(rs.putObject("revision_2_signed_by_key_1"), r2ByK1, "update keys [key 2] (rotation), signed by key 1: a valid update of revision 1", true);
        put(rs.putObject("revision_2_signed_by_key_2"), r2ByK2, "update keys [key 2], signed by key 2, which revision 1 does not list: standalone-valid but NOT a valid update of revision 1", false);
        k1.destroy();
        k2.destroy();
        return root;
    }

    private static void put(ObjectNode o, RootSet s, String note, boolean validUpdate) {
        o.put("note", note);
        o.put("name", s.name());
        o.put("revision", s.revision());
        o.put("timestamp", s.timestamp());
        o.put("signer", HEX.formatHex(s.signer()));
        o.put("encoded", HEX.formatHex(s.encoded()));
        o.put("valid_update_of_revision_1", validUpdate);
    }

    static String json() throws IOException {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(generate()) + "\n";
    }

    public static void main(String[] args) throws IOException {
        Path out = args.length > 0 ? Path.of(args[0]) : SOURCE;
        Files.writeString(out, json());
        System.out.println("wrote " + out);
    }
}
