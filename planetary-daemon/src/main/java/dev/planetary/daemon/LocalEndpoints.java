package dev.planetary.daemon;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The local interface endpoints a node announces with PUSH_DIRECT_PATHS (VL.md §5.7 flag LAN): the
 * bound address itself, or for a wildcard bind every address of every interface that is up (IPv4
 * only for an IPv4 socket), with the bound port. Loopback, multicast and unspecified are skipped (the
 * engine skips them too).
 */
final class LocalEndpoints {
    /** At most this many (one PUSH_DIRECT_PATHS carries 16). */
    static final int MAX = 16;

    private LocalEndpoints() {}

    static List<InetSocketAddress> of(InetSocketAddress bound) {
        List<InetSocketAddress> l = new ArrayList<>();
        InetAddress a = bound.getAddress();
        if (a != null && !a.isAnyLocalAddress()) {
            if (!a.isLoopbackAddress()) l.add(bound);
            return l;
        }
        boolean v4only = a instanceof Inet4Address;
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) continue;
                for (InetAddress x : Collections.list(nif.getInetAddresses())) {
                    if (v4only && !(x instanceof Inet4Address)) continue;
                    if (x.isLoopbackAddress() || x.isMulticastAddress() || x.isAnyLocalAddress()) continue;
                    if (l.size() < MAX) l.add(new InetSocketAddress(x, bound.getPort()));
                }
            }
        } catch (SocketException e) {
            return l; // no interface list: nothing to push but observed endpoints
        }
        return l;
    }
}
