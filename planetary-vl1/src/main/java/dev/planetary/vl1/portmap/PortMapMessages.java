package dev.planetary.vl1.portmap;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The datagrams of port mapping (VL.md §5.9): PCP {@code MAP} (RFC 6887 §7.1, §11.1) and NAT-PMP
 * (RFC 6886 §3.2, §3.3), UDP only, IPv4 only. Encoders build requests; decoders return empty for
 * anything that is not a well-formed answer of the expected kind (gateway bytes are hostile).
 */
public final class PortMapMessages {
    /** The gateway's PCP and NAT-PMP server port (RFC 6887 §19.1, RFC 6886 §3). */
    public static final int SERVER_PORT = 5351;
    public static final int PCP_VERSION = 2;
    public static final int NATPMP_VERSION = 0;
    public static final int PCP_OPCODE_MAP = 1;
    public static final int NATPMP_OPCODE_ADDRESS = 0;
    public static final int NATPMP_OPCODE_MAP_UDP = 1;
    /** Set in the opcode byte of every answer (RFC 6887 §7.2: R bit; RFC 6886: 128 + opcode). */
    public static final int RESPONSE = 0x80;
    public static final int RESULT_SUCCESS = 0;
    /** Both protocols' code 1 (PCP UNSUPP_VERSION, NAT-PMP Unsupported Version). */
    public static final int RESULT_UNSUPP_VERSION = 1;
    public static final int PROTOCOL_UDP = 17;
    public static final int NONCE_LENGTH = 12;
    /** PCP: 24-byte common header + 36-byte MAP body. */
    public static final int PCP_MAP_LENGTH = 60;
    public static final int NATPMP_MAP_REQUEST_LENGTH = 12;
    public static final int NATPMP_MAP_RESPONSE_LENGTH = 16;
    public static final int NATPMP_ADDRESS_RESPONSE_LENGTH = 12;

    private PortMapMessages() {}

    /** A PCP MAP answer (RFC 6887 §7.2, §11.1). */
    public record PcpMapResponse(int result, long lifetime, long epoch, byte[] nonce, int internalPort, int externalPort,
                                 InetAddress externalAddress) {}

    /** A NAT-PMP mapping answer (RFC 6886 §3.3). */
    public record NatPmpMapResponse(int result, long epoch, int internalPort, int externalPort, long lifetime) {}

    /** A NAT-PMP external address answer (RFC 6886 §3.2). */
    public record NatPmpAddressResponse(int result, long epoch, Inet4Address address) {}

    /** Any answer that carries only a version and a result (e.g. UNSUPP_VERSION in the other protocol's format). */
    public record Header(int version, int opcode, int result) {}

    /**
     * PCP MAP request (RFC 6887 §7.1, §11.1): lifetime 0 deletes the mapping (§15). The suggested
     * external address is the all-zeros IPv4-mapped address ({@code ::ffff:0.0.0.0}).
     */
    public static byte[] pcpMapRequest(Inet4Address client, int internalPort, int suggestedExternalPort, long lifetime, byte[] nonce) {
        Objects.requireNonNull(client, "client address");
        requirePort(internalPort, "internal port", false);
        requirePort(suggestedExternalPort, "suggested external port", true);
        if (lifetime < 0 || lifetime > 0xFFFF_FFFFL) throw new IllegalArgumentException("PCP lifetime " + lifetime + " is not a u32");
        if (nonce == null || nonce.length != NONCE_LENGTH) throw new IllegalArgumentException("PCP mapping nonce must be 12 bytes");
        ByteBuffer b = ByteBuffer.allocate(PCP_MAP_LENGTH);
        b.put((byte) PCP_VERSION).put((byte) PCP_OPCODE_MAP).putShort((short) 0).putInt((int) lifetime);
        putMapped(b, client.getAddress());
        b.put(nonce).put((byte) PROTOCOL_UDP).put(new byte[3]).putShort((short) internalPort).putShort((short) suggestedExternalPort);
        putMapped(b, new byte[4]);
        return b.array();
    }

    /** NAT-PMP "map UDP" request (RFC 6886 §3.3); lifetime 0 with external port 0 deletes it (§3.4). */
    public static byte[] natPmpMapRequest(int internalPort, int suggestedExternalPort, long lifetime) {
        requirePort(internalPort, "internal port", false);
        requirePort(suggestedExternalPort, "suggested external port", true);
        if (lifetime < 0 || lifetime > 0xFFFF_FFFFL) throw new IllegalArgumentException("NAT-PMP lifetime " + lifetime + " is not a u32");
        return ByteBuffer.allocate(NATPMP_MAP_REQUEST_LENGTH).put((byte) NATPMP_VERSION).put((byte) NATPMP_OPCODE_MAP_UDP)
                .putShort((short) 0).putShort((short) internalPort).putShort((short) suggestedExternalPort).putInt((int) lifetime).array();
    }

    /** NAT-PMP external address request (RFC 6886 §3.2): two bytes. */
    public static byte[] natPmpAddressRequest() {
        return new byte[] {NATPMP_VERSION, NATPMP_OPCODE_ADDRESS};
    }

    /** Version, opcode and result of any answer of at least 4 bytes. */
    public static Optional<Header> header(byte[] d) {
        if (d == null || d.length < 4) return Optional.empty();
        int version = d[0] & 0xFF;
        int result = version == PCP_VERSION ? d[3] & 0xFF : ((d[2] & 0xFF) << 8) | (d[3] & 0xFF);
        return Optional.of(new Header(version, d[1] & 0xFF, result));
    }

    public static Optional<PcpMapResponse> pcpMapResponse(byte[] d) {
        if (d == null || d.length < PCP_MAP_LENGTH || d.length > 1100) return Optional.empty(); // §7: ≤ 1100 bytes, options may follow
        if ((d[0] & 0xFF) != PCP_VERSION || (d[1] & 0xFF) != (RESPONSE | PCP_OPCODE_MAP)) return Optional.empty();
        ByteBuffer b = ByteBuffer.wrap(d);
        b.position(3);
        int result = b.get() & 0xFF;
        long lifetime = b.getInt() & 0xFFFF_FFFFL;
        long epoch = b.getInt() & 0xFFFF_FFFFL;
        b.position(24);
        byte[] nonce = new byte[NONCE_LENGTH];
        b.get(nonce);
        if ((b.get() & 0xFF) != PROTOCOL_UDP) return Optional.empty();
        b.position(b.position() + 3);
        int internal = b.getShort() & 0xFFFF;
        int external = b.getShort() & 0xFFFF;
        byte[] a = new byte[16];
        b.get(a);
        InetAddress ext;
        try {
            ext = InetAddress.getByAddress(a); // the JDK returns an Inet4Address for ::ffff:a.b.c.d
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
        return Optional.of(new PcpMapResponse(result, lifetime, epoch, nonce, internal, external, ext));
    }

    public static Optional<NatPmpMapResponse> natPmpMapResponse(byte[] d) {
        if (d == null || d.length != NATPMP_MAP_RESPONSE_LENGTH) return Optional.empty();
        if (d[0] != NATPMP_VERSION || (d[1] & 0xFF) != (RESPONSE | NATPMP_OPCODE_MAP_UDP)) return Optional.empty();
        ByteBuffer b = ByteBuffer.wrap(d, 2, d.length - 2);
        int result = b.getShort() & 0xFFFF;
        long epoch = b.getInt() & 0xFFFF_FFFFL;
        int internal = b.getShort() & 0xFFFF;
        int external = b.getShort() & 0xFFFF;
        long lifetime = b.getInt() & 0xFFFF_FFFFL;
        return Optional.of(new NatPmpMapResponse(result, epoch, internal, external, lifetime));
    }

    public static Optional<NatPmpAddressResponse> natPmpAddressResponse(byte[] d) {
        if (d == null || d.length != NATPMP_ADDRESS_RESPONSE_LENGTH) return Optional.empty();
        if (d[0] != NATPMP_VERSION || (d[1] & 0xFF) != (RESPONSE | NATPMP_OPCODE_ADDRESS)) return Optional.empty();
        ByteBuffer b = ByteBuffer.wrap(d, 2, d.length - 2);
        int result = b.getShort() & 0xFFFF;
        long epoch = b.getInt() & 0xFFFF_FFFFL;
        try {
            return Optional.of(new NatPmpAddressResponse(result, epoch, (Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(d, 8, 12))));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------- the gateway's side (test doubles, round trips)

    /** A PCP MAP success or error answer to {@code request} (RFC 6887 §7.2, §11.1): the request's nonce and internal port echoed. */
    public static byte[] pcpMapAnswer(byte[] request, int result, long lifetime, long epoch, Inet4Address external, int externalPort) {
        if (request == null || request.length < PCP_MAP_LENGTH) throw new IllegalArgumentException("not a PCP MAP request");
        ByteBuffer b = ByteBuffer.allocate(PCP_MAP_LENGTH);
        b.put((byte) PCP_VERSION).put((byte) (RESPONSE | PCP_OPCODE_MAP)).put((byte) 0).put((byte) result).putInt((int) lifetime).putInt((int) epoch)
                .put(new byte[12]);
        b.put(request, 24, NONCE_LENGTH + 4).put(request, 40, 2).putShort((short) externalPort); // nonce, protocol, reserved, internal port
        putMapped(b, external.getAddress());
        return b.array();
    }

    /** A NAT-PMP map UDP answer (RFC 6886 §3.3). */
    public static byte[] natPmpMapAnswer(int result, long epoch, int internalPort, int externalPort, long lifetime) {
        return ByteBuffer.allocate(NATPMP_MAP_RESPONSE_LENGTH).put((byte) NATPMP_VERSION).put((byte) (RESPONSE | NATPMP_OPCODE_MAP_UDP))
                .putShort((short) result).putInt((int) epoch).putShort((short) internalPort).putShort((short) externalPort).putInt((int) lifetime).array();
    }

    /** A NAT-PMP external address answer (RFC 6886 §3.2). */
    public static byte[] natPmpAddressAnswer(int result, long epoch, Inet4Address address) {
        return ByteBuffer.allocate(NATPMP_ADDRESS_RESPONSE_LENGTH).put((byte) NATPMP_VERSION).put((byte) (RESPONSE | NATPMP_OPCODE_ADDRESS))
                .putShort((short) result).putInt((int) epoch).put(address.getAddress()).array();
    }

    /** NAT-PMP's answer to a request of another version (RFC 6886 §3.5): version 0, the opcode + 128, Unsupported Version. */
    public static byte[] natPmpUnsupportedVersion(byte[] request) {
        int op = request != null && request.length > 1 ? request[1] & 0x7F : 0;
        return ByteBuffer.allocate(8).put((byte) NATPMP_VERSION).put((byte) (RESPONSE | op)).putShort((short) RESULT_UNSUPP_VERSION).putInt(0).array();
    }

    private static void putMapped(ByteBuffer b, byte[] v4) {
        b.put(new byte[10]).put((byte) 0xFF).put((byte) 0xFF).put(v4); // IPv4-mapped IPv6 (RFC 6887 §5)
    }

    private static void requirePort(int port, String what, boolean zeroAllowed) {
        if (port < (zeroAllowed ? 0 : 1) || port > 0xFFFF) throw new IllegalArgumentException(what + " " + port + " is out of range");
    }
}
