package dev.planetary.controller;

import dev.planetary.vl1.Bytes;

/** A capability a network defines (VL.md §7.4 field 0x0c, §11.6): id and its compiled rule entries (§11.2, ≤ 64). */
public record CapabilityDefinition(long id, Bytes rules) {
    public CapabilityDefinition {
        if (id < 0 || id > 0xFFFF_FFFFL) throw new IllegalArgumentException("a capability id is a u32");
        if (rules == null) throw new IllegalArgumentException("a capability has rule entries (possibly none)");
    }
}
