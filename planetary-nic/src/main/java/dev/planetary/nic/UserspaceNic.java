package dev.planetary.nic;

import static dev.planetary.nic.Packets.ETHERTYPE_ARP;
import static dev.planetary.nic.Packets.ETHERTYPE_IPV4;
import static dev.planetary.nic.Packets.ETHERTYPE_IPV6;
import static dev.planetary.nic.Packets.ETH_HEADER;
import static dev.planetary.nic.Packets.PROTO_ICMP;
import static dev.planetary.nic.Packets.PROTO_ICMPV6;
import static dev.planetary.nic.Packets.PROTO_UDP;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process Ethernet endpoint (VL.md §12.7) owning one MAC, one IPv4 address and any IPv6
 * addresses (its EUI-64 link-local one always): it answers ARP, IPv6 neighbour solicitations and
 * ICMP/ICMPv6 echo, delivers or echoes UDP on bound ports, and offers {@link #ping} and
 * {@link #sendUdp}. There is no TCP (§12.7). Every frame handed to {@link #send} is hostile: a frame
 * the stack cannot use is dropped and counted by {@link NicDrop}, never thrown.
 *
 * <p>Thread-safe. Frames are emitted on the calling thread (the one in {@link #send}, {@link #ping}
 * or {@link #sendUdp}); the tables are bounded.
 */
public final class UserspaceNic implements VirtualNic {
    /** ARP cache entries kept (a new IP evicts an arbitrary entry when full). */
    public static final int MAX_ARP_ENTRIES = 1024;
    /** IPs being resolved at once. */
    public static final int MAX_ARP_PENDING = 256;
    /** Echo requests awaiting a reply. */
    public static final int MAX_PENDING_PINGS = 1024;

    /** Receives a UDP datagram addressed to a bound port; {@code payload} is valid only during the call. */
    @FunctionalInterface
    public interface UdpHandler {
        void onDatagram(InetAddress source, int sourcePort, int port, ByteBuffer payload);
    }

    private final MacAddress mac;
    private final Inet4Address ip4;
    private final int prefix4;
    private final List<Inet6Address> ip6 = new CopyOnWriteArrayList<>();
    /** The ICMP echo identifier and IPv4 identifications' source: null for {@link ThreadLocalRandom}; a seeded one in simulations (guarded by itself). */
    private final RandomGenerator random;
    private final int pingId;
    private final AtomicInteger pingSeq = new AtomicInteger();
    private final Map<InetAddress, MacAddress> arp = new ConcurrentHashMap<>(); // ARP and IPv6 neighbour cache
    private final Map<InetAddress, CompletableFuture<MacAddress>> resolving = new ConcurrentHashMap<>();
    private final Map<Integer, Pending> pings = new ConcurrentHashMap<>();
    private final Map<Integer, UdpHandler> udp = new ConcurrentHashMap<>();
    private final Map<NicDrop, AtomicLong> drops = new EnumMap<>(NicDrop.class);
    private final AtomicLong delivered = new AtomicLong();
    private volatile FrameHandler out;
    private volatile boolean closed;

    private record Pending(CompletableFuture<Duration> result, long sentNanos) {
    }

    /** An endpoint with {@code mac} and {@code ip4/prefix4} (on-link only: no gateway). */
    public UserspaceNic(MacAddress mac, Inet4Address ip4, int prefix4) {
        this(mac, ip4, prefix4, null);
    }

    /**
     * As above, its ICMP echo identifier and IPv4 identifications drawn from {@code random} (null:
     * {@link ThreadLocalRandom}): a seeded one makes a simulated run repeat its frames exactly.
     */
    public UserspaceNic(MacAddress mac, Inet4Address ip4, int prefix4, RandomGenerator random) {
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("a NIC's MAC must be unicast, got " + mac);
        }
        new IpAssignment(ip4, prefix4);
        this.mac = mac;
        this.ip4 = ip4;
        this.prefix4 = prefix4;
        this.random = random;
        this.pingId = random16();
        this.ip6.add(Ipv6Addresses.linkLocal(mac));
        for (NicDrop d : NicDrop.values()) {
            drops.put(d, new AtomicLong());
        }
    }

    /** Adds an IPv6 address (e.g. the member's rfc4193 address, §10.6) it answers NDP and echo for. */
    public void addIpv6(Inet6Address a) {
        if (!ip6.contains(a)) {
            ip6.add(a);
        }
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    public Inet4Address ipv4() {
        return ip4;
    }

    public int ipv4Prefix() {
        return prefix4;
    }

    @Override
    public void start(FrameHandler handler) {
        if (out != null) {
            throw new IllegalStateException("userspace NIC " + mac + " is already started");
        }
        out = handler;
    }

    /** Delivers datagrams to UDP {@code port} to {@code handler} (replacing any previous one). */
    public void bindUdp(int port, UdpHandler handler) {
        checkPort(port);
        udp.put(port, handler);
    }

    /** Echoes datagrams to UDP {@code port} back to their sender (§12.7). */
    public void echoUdp(int port) {
        bindUdp(port, (src, srcPort, p, payload) -> {
            byte[] data = new byte[payload.remaining()];
            payload.get(data);
            sendUdp((Inet4Address) src, p, srcPort, data);
        });
    }

    /** Frames dropped for {@code reason}. */
    public long drops(NicDrop reason) {
        return drops.get(reason).get();
    }

    /** All dropped frames. */
    public long drops() {
        return drops.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Frames the stack used (answered or delivered). */
    public long delivered() {
        return delivered.get();
    }

    /** Echo requests awaiting a reply, and ARP resolutions in flight (both bounded; both drain on timeout). */
    public int pending() {
        return pings.size() + resolving.size();
    }

    /** The MAC learnt for {@code ip}, or null. */
    public MacAddress arpEntry(Inet4Address ip) {
        return arp.get(ip);
    }

    /** The MAC learnt for IPv6 {@code ip} (neighbour advertisements, §10.6), or null. */
    public MacAddress neighbourEntry(Inet6Address ip) {
        return arp.get(ip);
    }

    /**
     * Sends an ICMP echo request to {@code dst} (resolving its MAC by ARP first; an IPv6 destination by
     * a neighbour solicitation, from the own address of the same scope) and completes with the
     * round-trip time, or exceptionally with a TimeoutException after {@code timeout}.
     */
    public CompletableFuture<Duration> ping(InetAddress dst, Duration timeout) {
        int seq = pingSeq.incrementAndGet() & 0xffff;
        CompletableFuture<Duration> result = new CompletableFuture<>();
        if (pings.size() >= MAX_PENDING_PINGS) {
            count(NicDrop.TABLE_FULL);
            return CompletableFuture.failedFuture(new IllegalStateException("too many pings in flight"));
        }
        result.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> pings.remove(seq));
        Inet6Address dst6 = dst instanceof Inet6Address a ? a : null;
        byte[] src6 = dst6 == null ? null : source6(dst6);
        resolve(dst, src6, timeout).thenAccept(dmac -> {
            byte[] icmp = new byte[8 + 32];
            icmp[0] = (byte) (dst6 == null ? 8 : 128); // echo request
            put16(icmp, 4, pingId);
            put16(icmp, 6, seq);
            for (int i = 8; i < icmp.length; i++) {
                icmp[i] = (byte) i;
            }
            if (dst6 == null) {
                put16(icmp, 2, Packets.fold(Packets.sum(ByteBuffer.wrap(icmp), 0, icmp.length, 0)));
            }
            if (result.isDone()) {
                return; // timed out while ARP resolved: nothing to send, nothing to keep
            }
            Pending pending = new Pending(result, System.nanoTime());
            pings.put(seq, pending);
            if (result.isDone()) {
                pings.remove(seq, pending); // the timeout's removal ran before the put
                return;
            }
            emit(dst6 == null ? ipv4Frame(dmac, (Inet4Address) dst, PROTO_ICMP, icmp) : Ndp.ipv6Frame(mac, dmac, src6, dst6.getAddress(), icmp));
        }).exceptionally(e -> {
            result.completeExceptionally(e);
            return null;
        });
        return result;
    }

    /** Sends one UDP datagram (resolving {@code dst} by ARP first); completes once it is emitted. */
    public CompletableFuture<Void> sendUdp(Inet4Address dst, int srcPort, int dstPort, byte[] data) {
        checkPort(srcPort);
        checkPort(dstPort);
        if (data.length > 65507) {
            throw new IllegalArgumentException("a UDP payload is at most 65,507 bytes, got " + data.length);
        }
        return resolve(dst, null, Duration.ofSeconds(5)).thenAccept(dmac -> {
            byte[] u = new byte[8 + data.length];
            put16(u, 0, srcPort);
            put16(u, 2, dstPort);
            put16(u, 4, u.length);
            System.arraycopy(data, 0, u, 8, data.length);
            byte[] frame = ipv4Frame(dmac, dst, PROTO_UDP, u);
            ByteBuffer f = ByteBuffer.wrap(frame);
            int c = Packets.fold(Packets.pseudo(f, ETH_HEADER + 12, ETH_HEADER + 16, 4, PROTO_UDP, u.length)
                    + Packets.sum(f, ETH_HEADER + 20, u.length, 0));
            put16(frame, ETH_HEADER + 20 + 6, c == 0 ? 0xffff : c);
            emit(frame);
        });
    }

    /** Hands one frame to the stack (VL2 inbound). Never throws on frame content. */
    @Override
    public void send(ByteBuffer frame) {
        if (closed) {
            return;
        }
        ByteBuffer f = frame.slice();
        frame.position(frame.limit());
        NicDrop d;
        try {
            d = receive(f);
        } catch (IndexOutOfBoundsException e) {
            d = NicDrop.TRUNCATED; // a length check missed: still a drop, never a throw
        }
        if (d == null) {
            delivered.incrementAndGet();
        } else {
            count(d);
        }
    }

    @Override
    public void close() {
        closed = true;
        pings.values().forEach(p -> p.result().cancel(false));
        resolving.values().forEach(r -> r.cancel(false));
    }

    // ---------------------------------------------------------------- receive path: null = used

    private NicDrop receive(ByteBuffer f) {
        if (f.remaining() < ETH_HEADER) {
            return NicDrop.TRUNCATED;
        }
        MacAddress dst = MacAddress.fromBuffer(f, 0);
        if (!dst.isMulticast() && !dst.equals(mac)) {
            return NicDrop.NOT_OUR_MAC;
        }
        return switch (u16(f, 12)) {
            case ETHERTYPE_ARP -> arp(f);
            case ETHERTYPE_IPV4 -> ipv4(f);
            case ETHERTYPE_IPV6 -> ipv6(f);
            default -> NicDrop.UNSUPPORTED;
        };
    }

    private NicDrop arp(ByteBuffer f) {
        int a = ETH_HEADER;
        if (f.remaining() < a + 28) {
            return NicDrop.TRUNCATED;
        }
        if (u16(f, a) != 1 || u16(f, a + 2) != ETHERTYPE_IPV4 || (f.get(a + 4) & 0xff) != 6 || (f.get(a + 5) & 0xff) != 4) {
            return NicDrop.BAD_ARP;
        }
        int op = u16(f, a + 6);
        MacAddress sha = MacAddress.fromBuffer(f, a + 8);
        Inet4Address spa = ip4(f, a + 14);
        Inet4Address tpa = ip4(f, a + 24);
        if (op != 1 && op != 2 || sha.isMulticast()) {
            return NicDrop.BAD_ARP;
        }
        if (!tpa.equals(ip4)) {
            return NicDrop.NOT_OUR_IP;
        }
        if (!spa.isAnyLocalAddress()) {
            learn(spa, sha);
        }
        if (op == 1) {
            emit(arpFrame(sha, 2, sha, spa));
        }
        return null;
    }

    private NicDrop ipv4(ByteBuffer f) {
        int h = ETH_HEADER;
        if (f.remaining() < h + 20) {
            return NicDrop.TRUNCATED;
        }
        int vihl = f.get(h) & 0xff;
        int ihl = (vihl & 0xf) * 4;
        int total = u16(f, h + 2);
        if (vihl >> 4 != 4 || ihl < 20 || total < ihl || h + total > f.remaining()
                || Packets.fold(Packets.sum(f, h, ihl, 0)) != 0) {
            return NicDrop.BAD_IP_HEADER;
        }
        if ((u16(f, h + 6) & 0x3fff) != 0) { // MF or a fragment offset
            return NicDrop.FRAGMENT;
        }
        Inet4Address src = ip4(f, h + 12);
        Inet4Address dst = ip4(f, h + 16);
        if (!dst.equals(ip4)) {
            return NicDrop.NOT_OUR_IP;
        }
        int p = h + ihl;
        int len = total - ihl;
        MacAddress smac = MacAddress.fromBuffer(f, 6);
        return switch (f.get(h + 9) & 0xff) {
            case PROTO_ICMP -> icmp(f, p, len, src, smac);
            case PROTO_UDP -> udp4(f, p, len, src);
            default -> NicDrop.UNSUPPORTED;
        };
    }

    private NicDrop icmp(ByteBuffer f, int p, int len, Inet4Address src, MacAddress smac) {
        if (len < 8) {
            return NicDrop.TRUNCATED;
        }
        if (Packets.fold(Packets.sum(f, p, len, 0)) != 0) {
            return NicDrop.BAD_CHECKSUM;
        }
        int type = f.get(p) & 0xff;
        if (type == 8 && f.get(p + 1) == 0) { // echo request → reply with the same id, seq, data
            byte[] icmp = new byte[len];
            f.get(p, icmp);
            icmp[0] = 0;
            icmp[2] = 0;
            icmp[3] = 0;
            put16(icmp, 2, Packets.fold(Packets.sum(ByteBuffer.wrap(icmp), 0, len, 0)));
            if (smac.isMulticast()) {
                return NicDrop.BAD_ICMP;
            }
            emit(ipv4Frame(smac, src, PROTO_ICMP, icmp));
            return null;
        }
        if (type == 0 && u16(f, p + 4) == pingId) {
            return echoReply(u16(f, p + 6));
        }
        return NicDrop.BAD_ICMP;
    }

    private NicDrop echoReply(int seq) {
        Pending pending = pings.remove(seq);
        if (pending == null) {
            return NicDrop.BAD_ICMP;
        }
        pending.result().complete(Duration.ofNanos(System.nanoTime() - pending.sentNanos()));
        return null;
    }

    /** RFC 4861 §7.2.5: learn the target's MAC (target link-layer option, else the frame's source). */
    private NicDrop advertisement(ByteBuffer f, int h, int p, int plen, MacAddress smac) {
        if (plen < 24 || (f.get(h + 7) & 0xff) != 255 || f.get(p + 1) != 0) {
            return NicDrop.BAD_ICMP;
        }
        byte[] target = new byte[16];
        f.get(p + 8, target);
        MacAddress lladdr = smac;
        if (plen >= 32 && f.get(p + 24) == 2 && f.get(p + 25) == 1) {
            lladdr = MacAddress.fromBuffer(f, p + 26);
        }
        if (lladdr.isMulticast() || (target[0] & 0xff) == 0xff) {
            return NicDrop.BAD_ICMP;
        }
        Inet6Address t = Ipv6Addresses.toInet6(target);
        if (!resolving.containsKey(t) && !arp.containsKey(t)) {
            return NicDrop.BAD_ICMP; // unsolicited: not cached (bounded by what we asked)
        }
        learn(t, lladdr);
        return null;
    }

    /** The own IPv6 source for {@code dst}: link-local for link-local destinations, else the first other own address. */
    private byte[] source6(Inet6Address dst) {
        if (!dst.isLinkLocalAddress()) {
            for (Inet6Address a : ip6) {
                if (!a.isLinkLocalAddress()) {
                    return a.getAddress();
                }
            }
        }
        return ip6.getFirst().getAddress();
    }

    private NicDrop udp4(ByteBuffer f, int p, int len, Inet4Address src) {
        if (len < 8) {
            return NicDrop.TRUNCATED;
        }
        int ulen = u16(f, p + 4);
        if (ulen < 8 || ulen > len) {
            return NicDrop.TRUNCATED;
        }
        if (u16(f, p + 6) != 0 && Packets.fold(Packets.pseudo(f, ETH_HEADER + 12, ETH_HEADER + 16, 4, PROTO_UDP, ulen)
                + Packets.sum(f, p, ulen, 0)) != 0) {
            return NicDrop.BAD_CHECKSUM;
        }
        return deliverUdp(f, p, ulen, src);
    }

    private NicDrop deliverUdp(ByteBuffer f, int p, int ulen, InetAddress src) {
        int port = u16(f, p + 2);
        UdpHandler h = udp.get(port);
        if (h == null) {
            return NicDrop.NO_LISTENER;
        }
        try {
            h.onDatagram(src, u16(f, p), port, f.slice(p + 8, ulen - 8).asReadOnlyBuffer());
        } catch (RuntimeException e) {
            return NicDrop.HANDLER_FAULT;
        }
        return null;
    }

    // §10.6/§12.7: neighbour solicitations for our addresses and ICMPv6 echo.
    private NicDrop ipv6(ByteBuffer f) {
        int h = ETH_HEADER;
        if (f.remaining() < h + 40) {
            return NicDrop.TRUNCATED;
        }
        int plen = u16(f, h + 4);
        if ((f.get(h) & 0xf0) != 0x60 || h + 40 + plen > f.remaining()) {
            return NicDrop.BAD_IP_HEADER;
        }
        byte[] dst = new byte[16];
        f.get(h + 24, dst);
        if (!forUs6(dst)) {
            return NicDrop.NOT_OUR_IP;
        }
        int next = f.get(h + 6) & 0xff;
        if (next != PROTO_ICMPV6) {
            return NicDrop.UNSUPPORTED;
        }
        int p = h + 40;
        if (plen < 8) {
            return NicDrop.TRUNCATED;
        }
        if (Packets.fold(Packets.pseudo(f, h + 8, h + 24, 16, PROTO_ICMPV6, plen) + Packets.sum(f, p, plen, 0)) != 0) {
            return NicDrop.BAD_CHECKSUM;
        }
        byte[] src = new byte[16];
        f.get(h + 8, src);
        MacAddress smac = MacAddress.fromBuffer(f, 6);
        int type = f.get(p) & 0xff;
        if (type == 135) { // neighbour solicitation
            if (plen < 24 || (f.get(h + 7) & 0xff) != 255 || f.get(p + 1) != 0) {
                return NicDrop.BAD_ICMP;
            }
            byte[] target = new byte[16];
            f.get(p + 8, target);
            if (!owns6(target)) {
                return NicDrop.NOT_OUR_IP;
            }
            if (Arrays.equals(src, new byte[16]) || smac.isMulticast()) {
                return NicDrop.BAD_ICMP; // DAD probe for our address: the address stays ours, no answer
            }
            emit(Ndp.advertisement(mac, smac, target, src));
            return null;
        }
        if (type == Ndp.ADVERTISEMENT) {
            return advertisement(f, h, p, plen, smac);
        }
        if (type == 129 && f.get(p + 1) == 0 && u16(f, p + 4) == pingId) { // echo reply
            return echoReply(u16(f, p + 6));
        }
        if (type == 128 && f.get(p + 1) == 0) { // echo request
            if (smac.isMulticast()) {
                return NicDrop.BAD_ICMP;
            }
            byte[] echo = new byte[plen];
            f.get(p, echo);
            echo[0] = (byte) 129;
            byte[] from = owns6(dst) ? dst : ip6.getFirst().getAddress();
            emit(Ndp.ipv6Frame(mac, smac, from, src, echo));
            return null;
        }
        return NicDrop.BAD_ICMP;
    }

    private boolean owns6(byte[] a) {
        for (Inet6Address x : ip6) {
            if (Arrays.equals(x.getAddress(), a)) {
                return true;
            }
        }
        return false;
    }

    private boolean forUs6(byte[] dst) {
        if (owns6(dst)) {
            return true;
        }
        if ((dst[0] & 0xff) != 0xff) {
            return false;
        }
        if (dst[1] == 0x02 && Arrays.equals(Arrays.copyOfRange(dst, 2, 15), new byte[13]) && dst[15] == 1) {
            return true; // ff02::1
        }
        for (Inet6Address x : ip6) { // solicited-node group ff02::1:ffXX:XXXX
            byte[] a = x.getAddress();
            if (dst[1] == 0x02 && dst[11] == 1 && (dst[12] & 0xff) == 0xff
                    && dst[13] == a[13] && dst[14] == a[14] && dst[15] == a[15]) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- emit path

    /** ARP for IPv4; a neighbour solicitation from {@code src6} for IPv6. */
    private CompletableFuture<MacAddress> resolve(InetAddress dst, byte[] src6, Duration timeout) {
        if (isBroadcast(dst)) {
            return CompletableFuture.completedFuture(MacAddress.BROADCAST); // RFC 919/922: no ARP for a broadcast
        }
        MacAddress known = arp.get(dst);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        if (resolving.size() >= MAX_ARP_PENDING && !resolving.containsKey(dst)) {
            count(NicDrop.TABLE_FULL);
            return CompletableFuture.failedFuture(new IllegalStateException("too many ARP resolutions in flight"));
        }
        boolean[] fresh = {false};
        CompletableFuture<MacAddress> r = resolving.computeIfAbsent(dst, k -> {
            fresh[0] = true;
            CompletableFuture<MacAddress> c = new CompletableFuture<>();
            c.orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .whenComplete((m, e) -> resolving.remove(k, c));
            return c;
        });
        if (fresh[0]) {
            emit(dst instanceof Inet6Address d6 ? solicitation(d6.getAddress(), src6) : arpRequest((Inet4Address) dst));
            MacAddress raced = arp.get(dst); // a reply may have come before the future was visible
            if (raced != null) {
                r.complete(raced);
            }
        }
        return r;
    }

    /** 255.255.255.255 or the own subnet's directed broadcast address (host bits all ones). */
    private boolean isBroadcast(InetAddress dst) {
        if (!(dst instanceof Inet4Address d)) {
            return false;
        }
        int a = ByteBuffer.wrap(d.getAddress()).getInt();
        int host = prefix4 == 0 ? -1 : (int) ((1L << (32 - prefix4)) - 1);
        int net = ByteBuffer.wrap(ip4.getAddress()).getInt() & ~host;
        return a == -1 || prefix4 < 31 && a == (net | host);
    }

    /** RFC 4861 §7.2.2: to the target's solicited-node group, with the source link-layer option. */
    private byte[] solicitation(byte[] target, byte[] src) {
        byte[] ns = new byte[32];
        ns[0] = (byte) Ndp.SOLICITATION;
        System.arraycopy(target, 0, ns, 8, 16);
        ns[24] = 1;
        ns[25] = 1;
        System.arraycopy(mac.toBytes(), 0, ns, 26, 6);
        byte[] group = new byte[16];
        group[0] = (byte) 0xff;
        group[1] = 0x02;
        group[11] = 1;
        group[12] = (byte) 0xff;
        System.arraycopy(target, 13, group, 13, 3);
        MacAddress groupMac = new MacAddress(0x3333_0000_0000L | (group[12] & 0xffL) << 24 | (group[13] & 0xffL) << 16
                | (group[14] & 0xffL) << 8 | group[15] & 0xffL);
        return Ndp.ipv6Frame(mac, groupMac, src, group, ns);
    }

    private byte[] arpRequest(Inet4Address dst) {
        return arpFrame(MacAddress.BROADCAST, 1, null, dst);
    }

    /** An Ethernet/IPv4 ARP packet from this NIC: {@code op} 1 request, 2 reply; {@code tha} null = zeros. */
    private byte[] arpFrame(MacAddress ethDst, int op, MacAddress tha, Inet4Address tpa) {
        byte[] r = new byte[ETH_HEADER + 28];
        int a = ETH_HEADER;
        ethernet(r, ethDst, ETHERTYPE_ARP);
        put16(r, a, 1);
        put16(r, a + 2, ETHERTYPE_IPV4);
        r[a + 4] = 6;
        r[a + 5] = 4;
        put16(r, a + 6, op);
        System.arraycopy(mac.toBytes(), 0, r, a + 8, 6);
        System.arraycopy(ip4.getAddress(), 0, r, a + 14, 4);
        if (tha != null) {
            System.arraycopy(tha.toBytes(), 0, r, a + 18, 6);
        }
        System.arraycopy(tpa.getAddress(), 0, r, a + 24, 4);
        return r;
    }

    private void learn(InetAddress ip, MacAddress m) {
        if (arp.size() >= MAX_ARP_ENTRIES && !arp.containsKey(ip)) {
            var it = arp.keySet().iterator();
            if (it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        arp.put(ip, m);
        CompletableFuture<MacAddress> waiting = resolving.remove(ip);
        if (waiting != null) {
            waiting.complete(m);
        }
    }

    private void emit(byte[] frame) {
        FrameHandler h = out;
        if (h == null || closed) {
            count(NicDrop.NO_HANDLER);
            return;
        }
        try {
            h.onFrame(ByteBuffer.wrap(frame));
        } catch (RuntimeException e) {
            count(NicDrop.NO_HANDLER);
        }
    }

    private int random16() {
        if (random == null) return ThreadLocalRandom.current().nextInt(1 << 16);
        synchronized (random) {
            return random.nextInt(1 << 16);
        }
    }

    private byte[] ipv4Frame(MacAddress dmac, Inet4Address dst, int proto, byte[] payload) {
        byte[] fr = new byte[ETH_HEADER + 20 + payload.length];
        ethernet(fr, dmac, ETHERTYPE_IPV4);
        int h = ETH_HEADER;
        fr[h] = 0x45;
        put16(fr, h + 2, 20 + payload.length);
        put16(fr, h + 4, random16());
        put16(fr, h + 6, 0x4000); // DF
        fr[h + 8] = 64;
        fr[h + 9] = (byte) proto;
        System.arraycopy(ip4.getAddress(), 0, fr, h + 12, 4);
        System.arraycopy(dst.getAddress(), 0, fr, h + 16, 4);
        put16(fr, h + 10, Packets.fold(Packets.sum(ByteBuffer.wrap(fr), h, 20, 0)));
        System.arraycopy(payload, 0, fr, h + 20, payload.length);
        return fr;
    }

    private void ethernet(byte[] fr, MacAddress dst, int ethertype) {
        System.arraycopy(dst.toBytes(), 0, fr, 0, 6);
        System.arraycopy(mac.toBytes(), 0, fr, 6, 6);
        put16(fr, 12, ethertype);
    }

    private void count(NicDrop d) {
        drops.get(d).incrementAndGet();
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("a UDP port is 1..65535, got " + port);
        }
    }

    private static int u16(ByteBuffer b, int off) {
        return b.getShort(off) & 0xffff;
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static Inet4Address ip4(ByteBuffer b, int off) {
        byte[] a = new byte[4];
        b.get(off, a);
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are an IPv4 address", e);
        }
    }
}
