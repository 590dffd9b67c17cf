package dev.planetary.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * VL.md §12.5: {@code /proc/net/dev_mcast} as Linux writes it. The samples are real: this host's
 * devices and a TAP {@code ztabcdef01} in a namespace, with {@code ip maddr add 01:00:5e:00:00:fb}
 * (joined) and after {@code ip maddr del} (left).
 */
class KernelMulticastTest {
    static String sample(String name) throws IOException {
        try (InputStream in = KernelMulticastTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void theTapsGroupsOnlyWithTheJoinedOneUntilItIsLeft() throws Exception {
        MacAddress allNodes = MacAddress.parse("33:33:00:00:00:01"), allHosts = MacAddress.parse("01:00:5e:00:00:01");
        MacAddress mdns = MacAddress.parse("01:00:5e:00:00:fb");
        assertEquals(Set.of(allNodes, allHosts, mdns), KernelMulticast.parse(sample("dev_mcast-joined.txt"), "ztabcdef01"));
        assertEquals(Set.of(allNodes, allHosts), KernelMulticast.parse(sample("dev_mcast-left.txt"), "ztabcdef01"));
        assertTrue(KernelMulticast.parse(sample("dev_mcast-joined.txt"), "zt0").isEmpty(), "another device's name");
        assertTrue(KernelMulticast.parse(sample("dev_mcast-joined.txt"), "eth").isEmpty(), "a prefix of a name is not the name");
    }

    @Test
    void malformedBroadcastAndUnicastLinesAreSkippedAndTheSetIsBounded() {
        StringBuilder s = new StringBuilder("7 zt0 1 0 ffffffffffff\n7 zt0 1 0 020000000001\n7 zt0 1 0 01005e00\n7 zt0 1 0 01005e0000zz\ngarbage\n\n7 zt0\n");
        for (int i = 0; i < 2 * KernelMulticast.MAX_GROUPS; i++) s.append(String.format("7    zt0    1     0     3333ff%06x%n", i));
        Set<MacAddress> g = KernelMulticast.parse(s.toString(), "zt0");
        assertEquals(KernelMulticast.MAX_GROUPS, g.size());
        assertTrue(g.stream().allMatch(m -> m.isMulticast() && !m.equals(MacAddress.BROADCAST)));
    }

    @Test
    void randomBytesNeverThrow() {
        Random r = new Random(12);
        for (int i = 0; i < 2_000; i++) {
            byte[] b = new byte[r.nextInt(400)];
            for (int j = 0; j < b.length; j++) b[j] = (byte) " 0123456789abcdefzt\n\t".charAt(r.nextInt(21));
            KernelMulticast.parse(new String(b, StandardCharsets.US_ASCII), "zt0");
        }
    }

    @Test
    void anUnreadableFileIsNoGroupsAndAHugeOneIsReadOnlyInPart(@TempDir Path dir) throws Exception {
        assertTrue(KernelMulticast.read(dir.resolve("absent"), "zt0").isEmpty());
        Path big = dir.resolve("dev_mcast");
        String line = "7    zt0    1     0     01005e0000fb\n";
        Files.writeString(big, "x".repeat(KernelMulticast.MAX_FILE_BYTES) + "\n" + line);
        assertTrue(KernelMulticast.read(big, "zt0").isEmpty(), "nothing past the first MiB");
        Files.writeString(big, line);
        assertEquals(Set.of(MacAddress.parse("01:00:5e:00:00:fb")), KernelMulticast.read(big, "zt0"));
    }
}
