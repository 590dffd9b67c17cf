package dev.planetary.vl2.node;

import dev.planetary.nic.MacAddress;
import java.nio.ByteBuffer;

import static dev.planetary.vl2.rules.FrameFields.ETHERTYPE_ARP;
import static dev.planetary.vl2.rules.FrameFields.ETHERTYPE_IPV4;

/**
 * IPv4 ARP as §10.4 and §10.5 need it: the target of an ARP request (its group's ADI), and the ARP
 * reply a node writes to its own TAP when an authoritative controller answer named the owner (ARP
 * emulation, config flag bit1). Packets are hostile: anything that is not a well-formed Ethernet/IPv4
 * ARP request yields -1 / null.
 */
final class ArpEmulation {
    /** htype 2, ptype 2, hlen 1, plen 1, oper 2, sha 6, spa 4, tha 6, tpa 4. */
    static final int ARP_BYTES = 28;
    private static final int OP_REQUEST = 1, OP_REPLY = 2;

    private ArpEmulation() {}

    /** The target protocol address (bytes 24..28) of an Ethernet/IPv4 ARP request, as a u32, or -1. */
    static long requestTarget(int ethertype, byte[] p) {
        if (!isRequest(ethertype, p)) return -1;
        return ByteBuffer.wrap(p, 24, 4).getInt() & 0xffff_ffffL;
    }

    /**
     * The Ethernet frame answering ARP request {@code request} (the Ethernet payload) for its target
     * with {@code owner}'s MAC, addressed to the requester; null if {@code request} is not an ARP request.
     */
    static ByteBuffer reply(int ethertype, byte[] request, MacAddress owner) {
        if (!isRequest(ethertype, request)) return null;
        ByteBuffer q = ByteBuffer.wrap(request);
        byte[] sha = new byte[6], spa = new byte[4], tpa = new byte[4];
        q.get(8, sha).get(14, spa).get(24, tpa);
        ByteBuffer f = ByteBuffer.allocate(14 + ARP_BYTES);
        f.put(sha).put(owner.toBytes()).putShort((short) ETHERTYPE_ARP);
        f.putShort((short) 1).putShort((short) ETHERTYPE_IPV4).put((byte) 6).put((byte) 4).putShort((short) OP_REPLY);
        f.put(owner.toBytes()).put(tpa).put(sha).put(spa);
        return f.flip();
    }

    private static boolean isRequest(int ethertype, byte[] p) {
        if (ethertype != ETHERTYPE_ARP || p.length < ARP_BYTES) return false;
        ByteBuffer b = ByteBuffer.wrap(p);
        return b.getShort(0) == 1 && b.getShort(2) == ETHERTYPE_IPV4 && b.get(4) == 6 && b.get(5) == 4 && b.getShort(6) == OP_REQUEST;
    }
}
