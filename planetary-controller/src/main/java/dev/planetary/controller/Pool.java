package dev.planetary.controller;

/** An IP assignment pool {@code ipRangeStart..ipRangeEnd} (inclusive, one family; VL.md §7.5 step 4). */
public record Pool(Ip start, Ip end) {
    public Pool {
        if (start.family() != end.family()) throw new IllegalArgumentException("a pool's start and end are of one family");
        if (start.compareTo(end) > 0) throw new IllegalArgumentException("a pool's start " + start + " is after its end " + end);
    }
}
