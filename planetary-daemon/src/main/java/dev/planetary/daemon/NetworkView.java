package dev.planetary.daemon;

import dev.planetary.identity.Address;
import dev.planetary.nic.TapName;
import dev.planetary.vl2.AssignedAddress;
import dev.planetary.vl2.MemberCredential;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.Route;
import dev.planetary.vl2.Signed;
import dev.planetary.vl2.node.MemberNetwork;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A joined network as {@code GET /network} shows it (VL.md §13.2): ZeroTier One's field names plus Planetary's additions. */
final class NetworkView {
    private NetworkView() {}

    /** {@code groups}: what the node LIKEs on the network (§10.1, §12.5), shown as ZeroTier One's {@code multicastSubscriptions}. */
    static Map<String, Object> of(MemberNetwork n, Address self, java.util.Set<dev.planetary.vl2.MulticastGroup> groups) {
        Map<String, Object> m = new LinkedHashMap<>();
        String id = n.id().toString();
        NetworkConfig c = n.config().map(Signed::value).orElse(null);
        MemberCredential mc = n.ownCredential().map(Signed::value).orElse(null);
        m.put("id", id);
        m.put("nwid", id);
        m.put("mac", n.mac(self).toString());
        m.put("name", c == null ? "" : c.name().orElse(""));
        m.put("status", n.status().name());
        m.put("type", "PRIVATE");
        m.put("mtu", c == null ? 0 : c.mtu());
        m.put("dhcp", false);
        m.put("bridge", mc != null && mc.isBridge());
        m.put("broadcastEnabled", c != null && c.hasFlag(NetworkConfig.FLAG_BROADCAST));
        m.put("portError", n.status() == MemberNetwork.Status.PORT_ERROR ? -1 : 0);
        m.put("netconfRevision", c == null ? 0 : c.revision());
        List<String> ips = new ArrayList<>();
        if (mc != null) for (AssignedAddress a : mc.addresses()) ips.add(a.ip().toString());
        m.put("assignedAddresses", ips);
        List<Map<String, Object>> routes = new ArrayList<>();
        if (c != null) {
            for (Route r : c.routes()) {
                Map<String, Object> rm = new LinkedHashMap<>();
                rm.put("target", r.target().getHostAddress() + "/" + r.prefix());
                rm.put("via", r.via().map(java.net.InetAddress::getHostAddress).orElse(null));
                rm.put("flags", 0);
                rm.put("metric", r.metric());
                routes.add(rm);
            }
        }
        m.put("routes", routes);
        m.put("portDeviceName", TapName.of(n.id()));
        m.put("allowManaged", true);
        m.put("allowGlobal", false);
        m.put("allowDefault", false);
        m.put("allowDNS", false);
        m.put("dns", null);
        m.put("multicastSubscriptions", groups.stream().map(g -> Map.of("mac", g.mac().toString(), "adi", g.adi()))
                .sorted(java.util.Comparator.comparing(Object::toString)).toList());
        m.put("controllerFingerprint", n.controller().map(Object::toString).orElse(null));
        m.put("credentialTimestamp", n.ownCredential().map(Signed::timestamp).orElse(0L));
        m.put("credentialRevision", mc == null ? 0 : mc.revision());
        m.put("revocationListRevision", n.revocations().revision());
        if (n.deniedReason() >= 0) m.put("accessDeniedReason", n.deniedReason());
        return m;
    }
}
