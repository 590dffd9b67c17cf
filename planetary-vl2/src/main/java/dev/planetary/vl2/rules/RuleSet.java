package dev.planetary.vl2.rules;

import dev.planetary.nic.MacAddress;
import dev.planetary.nic.NetworkId;
import dev.planetary.vl2.Capability;
import dev.planetary.vl2.NetworkConfig;
import dev.planetary.vl2.RuleList;
import dev.planetary.vl2.TagDefinition;
import dev.planetary.vl2.Vl2Limits;
import java.util.Comparator;
import java.util.List;

/**
 * One network's policy, ready for evaluation (VL.md §11): the base rules (one ACCEPT when absent,
 * §11.4), the capabilities by ascending id and the tag defaults (§11.6), validated per §11.2 and
 * §11.7 — an invalid list is refused with an {@link InvalidRulesException} naming the list, the entry
 * index and the reason. Immutable and thread-safe.
 */
public final class RuleSet {
    final long nwid;
    private final long derivedZero; // §9.1: derive(nwid, a) = derive(nwid, 0) ^ a (the address bits and the first byte do not overlap)
    final byte[] base;
    final long[] capabilityIds;
    final byte[][] capabilities;
    final long[] tagIds, tagDefaults;

    private RuleSet(NetworkId nwid, RuleList base, List<Capability> caps, List<TagDefinition> tags) {
        this.nwid = nwid.value();
        this.derivedZero = MacAddress.derive(nwid, 0).value();
        this.base = checked(base, Vl2Limits.MAX_RULES, "base rules");
        if (caps.size() > Vl2Limits.MAX_CAPABILITIES) throw new InvalidRulesException("more than " + Vl2Limits.MAX_CAPABILITIES + " capabilities");
        if (tags.size() > Vl2Limits.MAX_TAG_DEFINITIONS) throw new InvalidRulesException("more than " + Vl2Limits.MAX_TAG_DEFINITIONS + " tag definitions");
        List<Capability> sorted = caps.stream().sorted(Comparator.comparingLong(Capability::id)).toList();
        capabilityIds = new long[sorted.size()];
        capabilities = new byte[sorted.size()][];
        for (int i = 0; i < sorted.size(); i++) {
            capabilityIds[i] = sorted.get(i).id();
            if (i > 0 && capabilityIds[i] == capabilityIds[i - 1]) throw new InvalidRulesException("duplicate capability id " + capabilityIds[i]);
            capabilities[i] = checked(sorted.get(i).rules(), Vl2Limits.MAX_CAPABILITY_RULES, "capability " + capabilityIds[i]);
        }
        List<TagDefinition> byId = tags.stream().sorted(Comparator.comparingLong(TagDefinition::id)).toList();
        tagIds = byId.stream().mapToLong(TagDefinition::id).toArray();
        tagDefaults = byId.stream().mapToLong(TagDefinition::defaultValue).toArray();
        for (int i = 1; i < tagIds.length; i++) {
            if (tagIds[i] == tagIds[i - 1]) throw new InvalidRulesException("duplicate tag definition id " + tagIds[i]);
        }
    }

    /** The policy a NetworkConfig carries (§7.4 fields {@code 0x0b}, {@code 0x0c}, {@code 0x0d}). */
    public static RuleSet of(NetworkConfig config) {
        return new RuleSet(config.networkId(), config.effectiveBaseRules(), config.capabilities(), config.tags());
    }

    /** A policy from its parts; {@code base} is the base rules as present (pass {@link RuleList#ACCEPT} for absent ones, §11.4). */
    public static RuleSet of(NetworkId nwid, RuleList base, List<Capability> capabilities, List<TagDefinition> tags) {
        return new RuleSet(nwid, base, capabilities, tags);
    }

    private static byte[] checked(RuleList list, int max, String what) {
        byte[] b = list.encoded().toArray();
        String problem = RuleType.problem(b, max);
        if (problem != null) throw new InvalidRulesException(what + ": " + problem);
        return b;
    }

    public NetworkId networkId() {
        return new NetworkId(nwid);
    }

    /** §11.6: the effective value of tag {@code id} for {@code member} (null: no receiver): its MC's value, else the config default, else 0. */
    long tag(Subject member, long id) {
        int i = java.util.Arrays.binarySearch(tagIds, id);
        long fallback = i >= 0 ? tagDefaults[i] : 0;
        return member == null ? fallback : member.tag(id, fallback);
    }

    /** The rules of capability {@code id}, or null when the config defines none with that id. */
    byte[] capability(long id) {
        int i = java.util.Arrays.binarySearch(capabilityIds, id);
        return i >= 0 ? capabilities[i] : null;
    }

    /** The derived MAC of {@code address} on this network (§9.1). */
    long derivedMac(long address) {
        return derivedZero ^ (address & NetworkId.ADDRESS_MASK);
    }

    @Override
    public String toString() {
        return "RuleSet[" + new NetworkId(nwid) + ", " + base.length + " base bytes, " + capabilityIds.length + " capabilities, "
                + tagIds.length + " tag definitions]";
    }
}
