package dev.planetary.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.planetary.identity.Fingerprint;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** §5.2 (d): remembered endpoints survive a restart through {@code paths.txt}, bounded, hostile lines skipped. */
class RememberedPathsTest {
    private static Fingerprint fp(int seed) {
        byte[] b = new byte[48];
        new Random(seed).nextBytes(b);
        return Fingerprint.of(b);
    }

    @Test
    void roundTripNewestFirstAtMostFourPerPeer(@TempDir Path home) throws Exception {
        RememberedPaths r = new RememberedPaths(home);
        for (int i = 1; i <= 6; i++) r.add(fp(1), new InetSocketAddress("192.0.2." + i, 9993));
        r.add(fp(2), new InetSocketAddress("2001:db8::1", 9994));
        r.saveIfChanged();
        Map<Fingerprint, List<InetSocketAddress>> back = new RememberedPaths(home).load();
        assertEquals(List.of(new InetSocketAddress("192.0.2.6", 9993), new InetSocketAddress("192.0.2.5", 9993),
                new InetSocketAddress("192.0.2.4", 9993), new InetSocketAddress("192.0.2.3", 9993)), back.get(fp(1)));
        assertEquals(List.of(new InetSocketAddress("2001:db8::1", 9994)), back.get(fp(2)));
    }

    @Test
    void badLinesAreSkippedAndPeersBounded(@TempDir Path home) throws Exception {
        String good = fp(3).toBase32();
        Files.writeString(home.resolve(RememberedPaths.FILE), good + " 192.0.2.9/9993\n" + good + " example.com/9993\n" + good + " 192.0.2.9/0\n"
                + "nonsense 192.0.2.9/9993\n" + good + "\n\u0000\u0001 x/y\n" + good + " 192.0.2.10/70000\n");
        assertEquals(Map.of(fp(3), List.of(new InetSocketAddress("192.0.2.9", 9993))), new RememberedPaths(home).load());
        RememberedPaths r = new RememberedPaths(home);
        for (int i = 0; i < RememberedPaths.MAX_PEERS + 10; i++) r.add(fp(100 + i), new InetSocketAddress("192.0.2.1", 9993));
        assertTrue(r.get(fp(100)).isEmpty(), "the oldest peer was dropped");
        assertEquals(1, r.get(fp(100 + RememberedPaths.MAX_PEERS + 9)).size());
    }
}
