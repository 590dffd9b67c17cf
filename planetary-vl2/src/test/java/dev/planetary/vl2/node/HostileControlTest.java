package dev.planetary.vl2.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.NodeCounter;
import dev.planetary.vl1.Verb;
import dev.planetary.vl2.CredentialItem;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.NetworkConfigMessage;
import dev.planetary.vl2.NetworkCredentials;
import dev.planetary.vl2.Signed;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Hostile bytes on the control plane (VL.md §6.2, §7.6): random SEQEX packets and well-framed SEQEX
 * requests carrying mutated configs and credentials, from the network's own controller session,
 * never throw, never change the accepted state, and never write a file.
 */
class HostileControlTest {

    @Test
    void randomAndMutatedControlMessagesChangeNothing() {
        MemberNetworksSimTest.Setup s = new MemberNetworksSimTest.Setup(51);
        MemberNetworksSimTest.drive(s);
        s.ctl.authorized.add(s.memberFp());
        MemberNetwork n = s.join(null, null);
        assertTrue(s.w.runUntil(() -> n.status() == MemberNetwork.Status.OK && n.revocations().revision() > 0, 30_000));
        Signed<NetworkConfig> held = n.config().orElseThrow();
        var heldMc = n.ownCredential().orElseThrow();
        s.store.files.clear();
        Fingerprint m = s.memberFp();
        s.ctl.networkRevision++;
        List<byte[]> seeds = List.of(
                NetworkConfigMessage.of(s.ctl.signedConfig(m), true).encode(),
                NetworkCredentials.of(s.ctl.nwid, CredentialItem.Credential.of(n.ownCredential().orElseThrow()), // the held MC: valid, not newer
                        CredentialItem.RevocationListItem.of(s.ctl.list)).encode());
        SplittableRandom r = new SplittableRandom(51);
        int seq = 0;
        for (int round = 0; round < 40; round++) {
            for (int i = 0; i < 50; i++) {
                byte[] message;
                if (r.nextBoolean()) { // random bytes after the SEQEX verb, sometimes with a plausible header
                    message = new byte[1 + r.nextInt(64)];
                    r.nextBytes(message);
                    if (message.length > 4 && r.nextBoolean()) {
                        message[1] = (byte) (0x10 | r.nextInt(6));
                        message[3] = 0;
                        message[4] = (byte) r.nextInt(5);
                    }
                } else { // a well-framed request on channel 0 carrying a mutated control message
                    byte[] inner = seeds.get(r.nextInt(seeds.size())).clone();
                    for (int f = 1 + r.nextInt(4); f > 0; f--) inner[r.nextInt(inner.length)] ^= (byte) (1 << r.nextInt(8));
                    if (r.nextInt(4) == 0) inner = java.util.Arrays.copyOf(inner, r.nextInt(inner.length));
                    message = new byte[9 + inner.length];
                    message[1] = 0x12; // version 1, PAYLOAD_SEQCST
                    message[2] = 0x01; // EXPECT_REPLY
                    java.nio.ByteBuffer.wrap(message, 5, 4).putInt(seq++);
                    System.arraycopy(inner, 0, message, 9, inner.length);
                }
                message[0] = (byte) Verb.SEQEX;
                byte[] b = message;
                s.ctlHost.run(() -> s.ctlHost.node.sendUpper(m, b));
            }
            s.w.run(200);
        }
        s.w.run(5_000);
        assertEquals(0, s.memHost.node.count(NodeCounter.INTERNAL_ERROR), () -> s.memHost.node.counters().toString());
        assertEquals(held, n.config().orElseThrow(), "no mutated config was accepted");
        assertEquals(MemberNetwork.Status.OK, n.status());
        assertEquals(heldMc, n.ownCredential().orElseThrow());
        assertTrue(s.store.files.isEmpty(), () -> "nothing written: " + s.store.files.keySet());
        assertTrue(s.member.counters().keySet().stream().anyMatch(k -> k.startsWith("refused")), () -> s.member.counters().toString());
        assertTrue(s.memHost.layer.seqex().endpoints() <= 2);
    }
}
