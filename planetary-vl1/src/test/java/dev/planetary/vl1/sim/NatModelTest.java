package dev.planetary.vl1.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The NAT models through the simulator: host h behind a NAT sends to server s1; then s1 from another
 * port, and s2 (another address), try to reach the mapping s1 observed. Expected per RFC 4787 class;
 * plus symmetric mappings, timeouts, LAN delivery and hairpinning.
 */
class NatModelTest {

    static final class World {
        final Simulator sim = new Simulator(5);
        final SimNat nat;
        final SimHost h;
        final SimHost s1;
        final SimHost s2;
        final RecordingEngine rh = new RecordingEngine();
        final RecordingEngine r1 = new RecordingEngine();
        final RecordingEngine r2 = new RecordingEngine();
        final InetSocketAddress s1a;
        final InetSocketAddress s1b;
        final InetSocketAddress s2a;

        World(NatBehaviour b) {
            nat = sim.nat("nat", "198.51.100.7", b);
            h = sim.privateHost("h", nat, "10.1.0.2");
            s1 = sim.publicHost("s1", "203.0.113.10");
            s2 = sim.publicHost("s2", "203.0.113.11");
            h.bind(9993);
            s1a = s1.bind(9993);
            s1b = s1.bind(9994);
            s2a = s2.bind(9993);
            h.attach(rh);
            s1.attach(r1);
            s2.attach(r2);
        }

        InetSocketAddress observedBy(SimHost from, RecordingEngine at, InetSocketAddress to) {
            h.send(9993, to, new byte[] {1});
            sim.runUntil(sim.now() + 50);
            return at.lastFrom();
        }

        /** Whether a datagram from {@code src} to {@code mapping} reaches h. */
        boolean reaches(SimHost from, int port, InetSocketAddress mapping) {
            int before = rh.got.size();
            from.send(port, mapping, new byte[] {2});
            sim.runUntil(sim.now() + 50);
            return rh.got.size() > before;
        }
    }

    @Test
    void fullConeLetsAnyoneIn() {
        World w = new World(NatModel.fullCone());
        InetSocketAddress m = w.observedBy(w.h, w.r1, w.s1a);
        assertEquals(w.nat.publicIp(), m.getAddress());
        assertEquals(true, w.reaches(w.s1, 9994, m));
        assertEquals(true, w.reaches(w.s2, 9993, m));
        assertEquals(new InetSocketAddress(w.h.ip(), 9993), w.rh.got.get(0).local(), "delivered to the inside socket");
    }

    @Test
    void addressRestrictedLetsInOnlyContactedAddresses() {
        World w = new World(NatModel.addressRestricted());
        InetSocketAddress m = w.observedBy(w.h, w.r1, w.s1a);
        assertEquals(true, w.reaches(w.s1, 9994, m), "same address, other port");
        assertEquals(false, w.reaches(w.s2, 9993, m));
        assertEquals(1, w.sim.count(TraceEvent.Kind.NAT_FILTERED));
    }

    @Test
    void portRestrictedLetsInOnlyContactedSockets() {
        World w = new World(NatModel.portRestricted());
        InetSocketAddress m = w.observedBy(w.h, w.r1, w.s1a);
        assertEquals(true, w.reaches(w.s1, 9993, m));
        assertEquals(false, w.reaches(w.s1, 9994, m));
        assertEquals(false, w.reaches(w.s2, 9993, m));
        // punching: h sends to s2 first, then s2 gets in through the same (endpoint-independent) mapping
        assertEquals(m, w.observedBy(w.h, w.r2, w.s2a), "cone: one public port for every destination");
        assertEquals(true, w.reaches(w.s2, 9993, m));
    }

    @Test
    void symmetricMapsEveryDestinationToItsOwnPort() {
        World w = new World(NatModel.symmetric());
        InetSocketAddress m1 = w.observedBy(w.h, w.r1, w.s1a);
        InetSocketAddress m2 = w.observedBy(w.h, w.r2, w.s2a);
        assertNotEquals(m1.getPort(), m2.getPort());
        assertEquals(true, w.reaches(w.s1, 9993, m1));
        assertEquals(false, w.reaches(w.s2, 9993, m1), "s2 punching to the port s1 saw fails");
        assertEquals(true, w.reaches(w.s2, 9993, m2));
    }

    @Test
    void portPreservationKeepsTheInsidePort() {
        World w = new World(NatModel.portRestricted().withPortPreservation(true));
        assertEquals(9993, w.observedBy(w.h, w.r1, w.s1a).getPort());
        assertEquals(9993, w.observedBy(w.h, w.r2, w.s2a).getPort(), "cone: the same port towards everyone");
    }

    @Test
    void anUnsolicitedPacketLeavesClashingState() {
        // §16.3 pitfall: s2 probes the NAT before h's flow to s2 exists; that flow then gets another port.
        World w = new World(NatModel.portRestricted().withPortPreservation(true).withClashingState(true));
        InetSocketAddress m = w.observedBy(w.h, w.r1, w.s1a);
        assertEquals(9993, m.getPort());
        assertEquals(false, w.reaches(w.s2, 9993, m), "the early probe is refused");
        InetSocketAddress towardsS2 = w.observedBy(w.h, w.r2, w.s2a);
        assertNotEquals(9993, towardsS2.getPort(), "h's flow to s2 clashes and moves");
        assertEquals(9993, w.observedBy(w.h, w.r1, w.s1a).getPort(), "other flows keep the preserved port");
        assertEquals(false, w.reaches(w.s2, 9993, m), "s2 punching to the port the root saw still fails: cone acts symmetric");
        assertEquals(true, w.reaches(w.s2, 9993, towardsS2));
        // without the behaviour, the same sequence punches through
        World plain = new World(NatModel.portRestricted().withPortPreservation(true));
        InetSocketAddress pm = plain.observedBy(plain.h, plain.r1, plain.s1a);
        assertEquals(false, plain.reaches(plain.s2, 9993, pm));
        assertEquals(pm, plain.observedBy(plain.h, plain.r2, plain.s2a));
        assertEquals(true, plain.reaches(plain.s2, 9993, pm));
    }

    @Test
    void mappingsTimeOutWhenIdle() {
        World w = new World(new NatModel(NatModel.Mapping.ENDPOINT_INDEPENDENT, NatModel.Filtering.ENDPOINT_INDEPENDENT, 30_000, 40_000));
        InetSocketAddress m = w.observedBy(w.h, w.r1, w.s1a);
        assertEquals(40_000, m.getPort());
        w.sim.runUntil(w.sim.now() + 20_000);
        assertEquals(true, w.reaches(w.s1, 9993, m), "inbound traffic refreshes the mapping");
        w.sim.runUntil(w.sim.now() + 31_000);
        assertEquals(false, w.reaches(w.s1, 9993, m));
        assertEquals(0, ((NatModel) w.nat.behaviour()).mappings(), "the expired mapping is gone");
        assertNotEquals(m, w.observedBy(w.h, w.r1, w.s1a), "a new mapping after expiry");
    }

    @Test
    void flushRebindsLikeConntrackFlush() {
        World w = new World(NatModel.portRestricted());
        InetSocketAddress before = w.observedBy(w.h, w.r1, w.s1a);
        ((NatModel) w.nat.behaviour()).flush();
        assertEquals(false, w.reaches(w.s1, 9993, before), "the old mapping is gone");
        InetSocketAddress after = w.observedBy(w.h, w.r1, w.s1a);
        assertNotEquals(before, after, "the NAT rebound: the peer sees a new source");
        assertEquals(true, w.reaches(w.s1, 9993, after));
    }

    @Test
    void lanHostsTalkDirectlyAndHairpinIsOptional() {
        World w = new World(NatModel.portRestricted());
        SimHost g = w.sim.privateHost("g", w.nat, "10.1.0.3");
        InetSocketAddress ga = g.bind(9993);
        RecordingEngine rg = new RecordingEngine();
        g.attach(rg);
        w.h.send(9993, ga, new byte[] {1});
        w.sim.runUntil(w.sim.now() + 10);
        assertEquals(new InetSocketAddress(w.h.ip(), 9993), rg.lastFrom(), "LAN: no translation");
        // g's mapping as seen from the WAN, then h sends to it through the NAT's public address
        g.send(9993, w.s1a, new byte[] {1});
        w.sim.runUntil(w.sim.now() + 50);
        InetSocketAddress gm = w.r1.lastFrom();
        int before = rg.got.size();
        w.h.send(9993, gm, new byte[] {3});
        w.sim.runUntil(w.sim.now() + 50);
        assertEquals(before, rg.got.size(), "hairpin off");
        assertEquals(1, w.sim.count(TraceEvent.Kind.NAT_DROPPED));
        w.nat.hairpin(true);
        SimHost g2 = g; // g opens its filter for h's mapping first (port-restricted)
        InetSocketAddress hm = w.observedBy(w.h, w.r1, w.s1a);
        g2.send(9993, hm, new byte[] {4});
        w.h.send(9993, gm, new byte[] {5});
        w.sim.runUntil(w.sim.now() + 50);
        assertEquals(5, rg.got.get(rg.got.size() - 1).bytes()[0], "hairpin on: delivered through the public address");
    }
}
