package dev.planetary.daemon;

import dev.planetary.identity.Decoded;
import dev.planetary.identity.IdentityVerifier;
import dev.planetary.identity.RootSet;
import dev.planetary.identity.RootSets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a daemon's root sets come from (VL.md §4.1 sources): the operator's sets in
 * {@code <home>/roots.d/*.rootset} ({@code <name>.frozen} marks a frozen one), then the default set
 * embedded in the jar, which {@code --rootset FILE} replaces. The embedded default is empty until
 * public roots exist.
 */
public final class RootSetSources {
    /** The embedded default set (a resource; empty today). */
    static final String EMBEDDED = "/dev/planetary/daemon/default.rootset";

    private RootSetSources() {}

    /** A root set file that cannot be used, for the operator. */
    public static final class RootSetException extends Exception {
        private static final long serialVersionUID = 1L;

        public RootSetException(String message) {
            super(message);
        }
    }

    /** The accepted sets: the operator's in name order, the default (or {@code --rootset}) last. */
    public record Loaded(List<RootSets.Accepted> operatorSets, RootSets.Accepted defaultSet) {
        /** Every set in §4.1 set order: the operator's in ascending name order, then the default. */
        public List<RootSets.Accepted> all() {
            List<RootSets.Accepted> out = new ArrayList<>(operatorSets);
            out.sort(java.util.Comparator.comparing(RootSets.Accepted::name)); // ASCII names: String order is bytewise
            if (defaultSet != null) out.add(defaultSet);
            return out;
        }

        public List<RootSets.EffectiveRoot> effectiveRoots() {
            return RootSets.effectiveRoots(operatorSets, defaultSet);
        }
    }

    /** Loads the sets for {@code home}; {@code replacement} (may be null) stands in for the embedded default. */
    public static Loaded load(Path home, Path replacement) throws RootSetException, IOException {
        IdentityVerifier v = new IdentityVerifier();
        List<RootSets.Accepted> ops = new ArrayList<>();
        Path dir = home.resolve("roots.d");
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.rootset")) {
                for (Path f : ds) {
                    String n = f.getFileName().toString();
                    boolean frozen = Files.exists(dir.resolve(n.substring(0, n.length() - ".rootset".length()) + ".frozen"));
                    ops.add(withPushed(home, new RootSets.Accepted(valid(read(f), f.toString(), v), frozen), v));
                }
            }
        }
        RootSets.Accepted def;
        if (replacement != null) {
            def = withPushed(home, new RootSets.Accepted(valid(read(replacement), replacement.toString(), v), false), v);
        } else {
            byte[] b;
            try (InputStream in = RootSetSources.class.getResourceAsStream(EMBEDDED)) {
                b = in == null ? new byte[0] : in.readNBytes(RootSet.MAX_SIZE + 1);
            }
            def = b.length == 0 ? null : withPushed(home, new RootSets.Accepted(valid(b, "the embedded default root set", v), false), v);
        }
        return new Loaded(List.copyOf(ops), def);
    }

    /** Where an accepted in-band update of set {@code name} is kept (§4.2): beside the pinned sets, not one of them. */
    static Path pushedFile(Path home, String name) {
        return home.resolve("roots.d").resolve(name + ".pushed");
    }

    /**
     * §4.2 pinning: the pinned set (operator-added, {@code --rootset} or embedded) fixes the lineage;
     * a pushed revision saved earlier replaces it only if it still passes the update rule against
     * it (a frozen set ignores it). A bad or stale pushed file is ignored, never an error.
     */
    private static RootSets.Accepted withPushed(Path home, RootSets.Accepted pinned, IdentityVerifier v) {
        Path f = pushedFile(home, pinned.name());
        if (pinned.frozen() || !Files.isRegularFile(f)) return pinned;
        try {
            Decoded<RootSets.Accepted> d = RootSet.decode(read(f)).flatMap(s -> pinned.offer(s, v));
            return d.isOk() ? d.orThrow() : pinned;
        } catch (RootSetException e) {
            return pinned;
        }
    }

    /** Saves an accepted push (atomically, 0644) so the node keeps using it after a restart. */
    static void savePushed(Path home, RootSet set, EventSink events) {
        save(home, set, ".pushed", events);
    }

    /** Writes {@code roots.d/<name><suffix>} atomically (0644); a failure is a warning event. */
    static boolean save(Path home, RootSet set, String suffix, EventSink events) {
        Path f = home.resolve("roots.d").resolve(set.name() + suffix);
        try {
            Files.createDirectories(f.getParent());
            Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
            Files.write(tmp, set.encoded());
            Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            events.emit("warning", java.util.Map.of("message", "cannot save the root set " + f + ": " + e.getMessage()));
            return false;
        }
    }

    private static byte[] read(Path f) throws RootSetException {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] b = in.readNBytes(RootSet.MAX_SIZE + 1);
            if (b.length > RootSet.MAX_SIZE) throw new RootSetException(f + " is larger than a root set can be (" + RootSet.MAX_SIZE + " bytes)");
            return b;
        } catch (IOException e) {
            throw new RootSetException("cannot read root set " + f + ": " + e.getMessage());
        }
    }

    private static RootSet.Valid valid(byte[] b, String where, IdentityVerifier v) throws RootSetException {
        Decoded<RootSet.Valid> d = RootSet.decode(b).flatMap(s -> s.validate(v));
        if (d instanceof Decoded.Invalid<RootSet.Valid> inv) {
            throw new RootSetException(where + " is not a valid root set: " + inv.reason().name().toLowerCase() + " (" + inv.detail() + ")");
        }
        return d.orThrow();
    }
}
