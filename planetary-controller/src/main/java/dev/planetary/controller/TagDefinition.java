package dev.planetary.controller;

/** A tag a network defines (VL.md §7.4 field 0x0d): id and the value members without one get. */
public record TagDefinition(long id, long defaultValue) {
    public TagDefinition {
        if (id < 0 || id > 0xFFFF_FFFFL || defaultValue < 0 || defaultValue > 0xFFFF_FFFFL) throw new IllegalArgumentException("tag ids and values are u32");
    }
}
