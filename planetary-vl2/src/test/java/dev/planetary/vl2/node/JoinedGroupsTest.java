package dev.planetary.vl2.node;

import static dev.planetary.vl2.node.MulticastWorld.NWID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.nic.KernelMulticast;
import dev.planetary.nic.MacAddress;
import dev.planetary.nic.PortConfig;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.MulticastGroup;
import dev.planetary.vl2.node.MulticastWorld.Member;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** VL.md §12.5: the groups a NIC's host stack joined are LIKEd beside the config's, and expire once left. */
class JoinedGroupsTest {
    private static final MacAddress MDNS = MacAddress.parse("01:00:5e:00:00:fb");

    @Test
    void aJoinedGroupIsLikedAtOnceAndExpiresAtThePeersOnceLeft() {
        MulticastWorld w = new MulticastWorld(3, PortConfig.FLAG_BROADCAST, 32, 7);
        Member a = w.member(0), b = w.member(1);
        w.session(a, b);
        w.pump();
        int held = b.engine.likesHeld(NWID);
        long likes = w.count(a.address.value(), b.address.value(), Verb.MULTICAST_LIKE);
        // broadcast is the config's (flag bit0) and a unicast MAC is no group: both ignored
        a.engine.joined(NWID, Set.of(MDNS, MacAddress.BROADCAST, MacAddress.parse("02:00:00:00:00:01")), w.now);
        w.pump();
        assertEquals(likes + 1, w.count(a.address.value(), b.address.value(), Verb.MULTICAST_LIKE), "LIKEd at once");
        assertEquals(held + 1, b.engine.likesHeld(NWID), "b holds a's LIKE of the joined group");
        assertTrue(w.controllerLikes.get(new MulticastGroup(MDNS, 0)).contains(a.address.value()), "and the controller");
        a.engine.joined(NWID, Set.of(MDNS), w.now); // the same set again: nothing to tell
        w.pump();
        assertEquals(likes + 1, w.count(a.address.value(), b.address.value(), Verb.MULTICAST_LIKE));

        a.engine.joined(NWID, Set.of(), w.now); // the kernel left the group
        w.pump();
        for (long t = 0; t <= MulticastDirectory.LIKE_EXPIRY_MS; t += Multicaster.ANNOUNCE_INTERVAL_MS) w.advance(Multicaster.ANNOUNCE_INTERVAL_MS);
        assertEquals(held, b.engine.likesHeld(NWID), "no longer LIKEd: expired at b, the config's groups still held");
    }

    @Test
    void atMostMaxGroupsAreKept() {
        MulticastWorld w = new MulticastWorld(2, PortConfig.FLAG_BROADCAST, 32, 8);
        Member a = w.member(0), b = w.member(1);
        w.session(a, b);
        w.pump();
        int held = b.engine.likesHeld(NWID);
        Set<MacAddress> many = new HashSet<>();
        for (int i = 0; i < 3 * KernelMulticast.MAX_GROUPS; i++) many.add(new MacAddress(0x01005e000000L + i));
        a.engine.joined(NWID, many, w.now);
        w.pump();
        assertEquals(held + KernelMulticast.MAX_GROUPS, b.engine.likesHeld(NWID));
    }
}
