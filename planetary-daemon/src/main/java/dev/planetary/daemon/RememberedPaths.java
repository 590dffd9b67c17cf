package dev.planetary.daemon;

import dev.planetary.identity.Fingerprint;
import dev.planetary.vl1.Vl1Limits;
import dev.planetary.vl1.engine.BoundedMap;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Remembered endpoints (VL.md §5.2 (d)): the endpoints of peers' confirmed direct paths, kept in
 * {@code <home>/paths.txt} (one {@code <fingerprint base32> <ip>/<port>} a line, newest last, 0600)
 * so that after a restart the first X1 to a peer also goes straight there (§5.10 step 2). At most
 * {@value #MAX_PEERS} peers (least recently confirmed dropped) and 4 endpoints each; a bad line is skipped.
 */
final class RememberedPaths {
    static final String FILE = "paths.txt";
    static final int MAX_PEERS = 1_024;
    private static final int MAX_FILE = 256 * 1024;

    private final Path file;
    private final BoundedMap<Fingerprint, List<InetSocketAddress>> peers = new BoundedMap<>(MAX_PEERS);
    private boolean dirty;

    RememberedPaths(Path home) {
        this.file = home.resolve(FILE);
    }

    /** Reads the file (absent, unreadable or oversized: nothing remembered). */
    Map<Fingerprint, List<InetSocketAddress>> load() {
        try {
            if (Files.isRegularFile(file) && Files.size(file) <= MAX_FILE) parse(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // start without: remembered endpoints are only a head start
        }
        return Map.copyOf(peers);
    }

    void parse(String text) {
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length != 2) continue;
            int slash = f[1].lastIndexOf('/');
            if (slash < 1 || !f[1].substring(0, slash).matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) continue; // literals only, never a lookup
            try {
                int port = Integer.parseInt(f[1].substring(slash + 1));
                if (port < 1 || port > 65535) continue;
                InetSocketAddress ep = new InetSocketAddress(InetAddress.getByName(f[1].substring(0, slash)), port);
                Fingerprint.parse(f[0]).ifPresent(fp -> add(fp, ep));
            } catch (IOException | NumberFormatException e) {
                // a bad line: skipped
            }
        }
        dirty = false;
    }

    /** A confirmed direct path to {@code peer}: remembered first (the 4 newest endpoints kept). */
    void add(Fingerprint peer, InetSocketAddress endpoint) {
        List<InetSocketAddress> l = new ArrayList<>(peers.getOrDefault(peer, List.of()));
        if (!l.isEmpty() && l.getFirst().equals(endpoint)) {
            peers.get(peer); // LRU touch
            return;
        }
        l.remove(endpoint);
        l.addFirst(endpoint);
        while (l.size() > Vl1Limits.MAX_X1_DIRECT) l.removeLast();
        peers.put(peer, List.copyOf(l));
        dirty = true;
    }

    List<InetSocketAddress> get(Fingerprint peer) {
        return peers.getOrDefault(peer, List.of());
    }

    String format() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<Fingerprint, List<InetSocketAddress>> e : peers.entrySet()) {
            for (InetSocketAddress ep : e.getValue().reversed()) {
                b.append(e.getKey().toBase32()).append(' ').append(ep.getAddress().getHostAddress()).append('/').append(ep.getPort()).append('\n');
            }
        }
        return b.toString();
    }

    /** Writes the file if something changed since the last save. */
    void saveIfChanged() throws IOException {
        if (!dirty) return;
        DaemonHome.writePrivate(file, format().getBytes(StandardCharsets.US_ASCII));
        dirty = false;
    }
}
