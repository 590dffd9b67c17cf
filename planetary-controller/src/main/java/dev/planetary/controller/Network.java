package dev.planetary.controller;

/** A network row (VL.md §14.2): id, revision (u32, any network-wide change, §7.5), creation time, settings. */
public record Network(long id, long revision, long creationTime, NetworkSettings settings) {
    public Network {
        if (revision < 0 || revision > 0xFFFF_FFFFL) throw new IllegalArgumentException("a network revision is a u32");
    }
}
