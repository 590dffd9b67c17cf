package dev.planetary.vl1.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.SecretIdentity;
import dev.planetary.vl1.NodeConfig;
import dev.planetary.vl1.NodeEvent;
import dev.planetary.vl1.RootInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * WP1's demonstration over real UDP on 127.0.0.1 (VL.md §17): two roots and three members in one JVM;
 * WHOIS through two agreeing roots → session → USER_MESSAGE both ways. Generous bounds (20 s).
 */
class UdpLoopbackTest {

    static boolean await(BooleanSupplier c, long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) return true;
            Thread.sleep(20);
        }
        return c.getAsBoolean();
    }

    static List<String> texts(List<NodeEvent> events) {
        List<String> l = new ArrayList<>();
        for (NodeEvent e : events) if (e instanceof NodeEvent.UserMessageReceived u) l.add(new String(u.payload(), StandardCharsets.UTF_8));
        return l;
    }

    @Test
    void twoRootsThreeMembersWhoisSessionUserMessagesBothWays() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<UdpNode> all = new ArrayList<>();
        try {
            List<RootInfo> roots = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                SecretIdentity id = dev.planetary.vl1.PoolAccess.get(i);
                UdpNode r = new UdpNode("r" + i, any, id, NodeConfig::root, e -> { });
                all.add(r);
                roots.add(new RootInfo(id.identity(), id.address(), List.of(r.localAddress())));
            }
            List<List<NodeEvent>> events = new ArrayList<>();
            List<UdpNode> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                List<NodeEvent> ev = new CopyOnWriteArrayList<>();
                events.add(ev);
                UdpNode m = new UdpNode("m" + i, any, dev.planetary.vl1.PoolAccess.get(2 + i), l -> NodeConfig.member(l, roots), ev::add);
                members.add(m);
                all.add(m);
            }
            assertTrue(await(() -> members.stream().allMatch(m -> m.call(n -> n.isOnline()).join()), 20_000), "all members online");
            // online = HELLO answered by a root; a WHOIS needs two roots that both registered the
            // member (spec §2.7), and the second root may still be verifying it
            List<UdpNode> rootNodes = all.subList(0, 2);
            List<dev.planetary.identity.Address> memberAddresses = List.of(dev.planetary.vl1.PoolAccess.get(2).address(),
                    dev.planetary.vl1.PoolAccess.get(3).address(), dev.planetary.vl1.PoolAccess.get(4).address());
            assertTrue(await(() -> rootNodes.stream().allMatch(r -> r.call(n -> memberAddresses.stream()
                    .allMatch(x -> n.registered(x).isPresent())).join()), 20_000), "every member registered at both roots");
            SecretIdentity a = dev.planetary.vl1.PoolAccess.get(2), b = dev.planetary.vl1.PoolAccess.get(3);
            members.get(0).call(n -> n.sendUserMessage(b.address(), 70_000, "hello b".getBytes(StandardCharsets.UTF_8))).join();
            assertTrue(await(() -> texts(events.get(1)).contains("hello b"), 20_000), () -> "a: " + events.get(0));
            NodeEvent.IdentityResolved r = (NodeEvent.IdentityResolved) events.get(0).stream().filter(e -> e instanceof NodeEvent.IdentityResolved).findFirst().orElseThrow();
            assertEquals(b.fingerprint(), r.fingerprint());
            members.get(1).call(n -> n.sendUserMessage(a.address(), 70_000, "hello a".getBytes(StandardCharsets.UTF_8))).join();
            assertTrue(await(() -> texts(events.get(0)).contains("hello a"), 20_000), () -> "b: " + events.get(1));
            NodeEvent.UserMessageReceived got = (NodeEvent.UserMessageReceived) events.get(0).stream().filter(e -> e instanceof NodeEvent.UserMessageReceived).findFirst().orElseThrow();
            assertEquals(b.fingerprint(), got.from());
        } finally {
            for (UdpNode n : all) n.close();
        }
    }
}
