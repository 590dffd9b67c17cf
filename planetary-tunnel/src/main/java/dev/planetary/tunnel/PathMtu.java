package dev.planetary.tunnel;

import dev.planetary.transport.Endpoint;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * The datagram size for a peer when the user did not give {@code --mtu}. The JDK cannot ask the
 * kernel for a route's path MTU, but one case is certain: a peer on this host (a loopback address or
 * one of our own interface addresses) is reached through that interface, whose MTU is the path MTU
 * (65,536 on Linux loopback). Every other peer keeps the configured MTU (1432: fits Ethernet with
 * IPv6 and tunnelling slack). On loopback a 16 KiB SEQEX packet then travels as one datagram
 * instead of twelve fragments (BENCHMARKS.md, "planetary tunnel").
 */
public final class PathMtu {
    private PathMtu() {}

    /** IPv4 (20) or IPv6 (40) header plus UDP (8). */
    private static int headers(InetAddress a) {
        return (a instanceof Inet6Address ? 40 : 20) + 8;
    }

    /** The MTU to use for {@code peer}: the local interface's when the peer is on this host, else {@code configured}. */
    public static int forPeer(InetSocketAddress peer, int configured) {
        InetAddress a = peer.getAddress();
        if (a == null) return configured;
        try {
            NetworkInterface nif = a.isLoopbackAddress() ? loopback(a) : NetworkInterface.getByInetAddress(a);
            if (nif == null) return configured;
            int ifMtu = nif.getMTU();
            if (ifMtu <= 0) return configured;
            return Math.max(configured, Math.min(Endpoint.MAX_MTU, ifMtu - headers(a)));
        } catch (SocketException | RuntimeException e) {
            return configured;
        }
    }

    private static NetworkInterface loopback(InetAddress a) throws SocketException {
        NetworkInterface nif = NetworkInterface.getByInetAddress(a); // 127.0.0.2 etc. are not listed
        if (nif != null) return nif;
        var all = NetworkInterface.networkInterfaces().iterator();
        while (all.hasNext()) {
            NetworkInterface n = all.next();
            if (n.isLoopback() && n.isUp()) return n;
        }
        return null;
    }
}
