package dev.planetary.daemon;

import dev.planetary.identity.Fingerprint;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.node.MemberNetworks;
import dev.planetary.vl2.node.NetworkStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The member's network files in the home (VL.md §2.10): {@code networks.d/<nwid>.config},
 * {@code .credential}, {@code .revocations} and {@code .pin}, each 0600 and replaced atomically.
 * The {@code .pin} file also marks a joined network (empty while trust on first use is pending).
 */
final class NetworkFiles implements NetworkStore {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkFiles.class);
    static final String DIR = "networks.d";
    private static final int MAX_FILE = 64 * 1024; // a PSO is at most 49,152 bytes

    private final Path dir;

    NetworkFiles(Path home) {
        this.dir = home.resolve(DIR);
    }

    @Override
    public void write(NetworkId network, Kind kind, byte[] content) {
        try {
            Files.createDirectories(dir);
            DaemonHome.writePrivate(file(network, kind), content);
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}", file(network, kind), e.toString());
        }
    }

    @Override
    public void remove(NetworkId network) {
        for (Kind k : Kind.values()) {
            try {
                Files.deleteIfExists(file(network, k));
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", file(network, k), e.toString());
            }
        }
    }

    private Path file(NetworkId network, Kind kind) {
        return dir.resolve(network + "." + kind.suffix);
    }

    /** Rejoins every network with a {@code .pin} file, restoring its accepted files (§7.2 after a restart). */
    void restoreInto(MemberNetworks member) {
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*." + Kind.PIN.suffix)) {
            for (Path p : s) {
                String name = p.getFileName().toString();
                String hex = name.substring(0, name.length() - Kind.PIN.suffix.length() - 1);
                NetworkId id;
                try {
                    id = NetworkId.parse(hex);
                } catch (IllegalArgumentException e) {
                    LOG.warn("ignoring {}: not a network id", p);
                    continue;
                }
                if (member.networks().size() >= MemberNetworks.MAX_NETWORKS) break;
                Fingerprint pin = read(id, Kind.PIN).map(b -> new String(b, StandardCharsets.US_ASCII).strip())
                        .flatMap(t -> t.isEmpty() ? Optional.empty() : Fingerprint.parse(t)).orElse(null);
                try {
                    member.restore(id, pin, read(id, Kind.CONFIG).orElse(null), read(id, Kind.CREDENTIAL).orElse(null), read(id, Kind.REVOCATIONS).orElse(null));
                } catch (RuntimeException e) {
                    LOG.warn("cannot restore network {}: {}", id, e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", dir, e.toString());
        }
    }

    private Optional<byte[]> read(NetworkId id, Kind kind) {
        Path f = file(id, kind);
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > MAX_FILE) return Optional.empty();
            return Optional.of(Files.readAllBytes(f));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
