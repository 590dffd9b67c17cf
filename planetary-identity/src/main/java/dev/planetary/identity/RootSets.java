package dev.planetary.identity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The accepted root sets of a node (spec §4.1, §4.2): set order, the MAX_ROOTS merge and frozen sets. */
public final class RootSets {
    /** Roots a node uses, across all its sets. */
    public static final int MAX_ROOTS = 16;

    private RootSets() {}

    /** An accepted set; a frozen one ignores in-band updates (spec §4.2). */
    public record Accepted(RootSet.Valid valid, boolean frozen) {
        public String name() {
            return valid.set().name();
        }

        /** Applies the update rule to an in-band candidate (a ROOT_SET push); a frozen set refuses all. */
        public Decoded<Accepted> offer(RootSet candidate, IdentityVerifier verifier) {
            if (frozen) return Decoded.invalid(Rejection.UPDATE_RULE, "set " + name() + " is frozen");
            return RootSet.update(valid, candidate, verifier).map(v -> new Accepted(v, false));
        }
    }

    /** One root as a node uses it. */
    public record EffectiveRoot(String setName, RootSet.Root root, Address address) {}

    /**
     * The roots in use: operator-added sets in ascending name order (bytewise ASCII), then the
     * embedded default (may be null), each in listed order; a fingerprint in several sets counts
     * once, at its first place; at most {@link #MAX_ROOTS}.
     */
    public static List<EffectiveRoot> effectiveRoots(List<Accepted> operatorSets, Accepted embeddedDefault) {
        List<Accepted> order = new ArrayList<>(operatorSets);
        order.sort(Comparator.comparing(Accepted::name)); // names are ASCII: String order is bytewise
        if (embeddedDefault != null) order.add(embeddedDefault);
        List<EffectiveRoot> out = new ArrayList<>();
        Set<Fingerprint> seen = new HashSet<>();
        for (Accepted a : order) {
            List<RootSet.Root> roots = a.valid().set().roots();
            for (int i = 0; i < roots.size() && out.size() < MAX_ROOTS; i++) {
                if (seen.add(roots.get(i).identity().fingerprint())) {
                    out.add(new EffectiveRoot(a.name(), roots.get(i), a.valid().addresses().get(i)));
                }
            }
        }
        return List.copyOf(out);
    }
}
