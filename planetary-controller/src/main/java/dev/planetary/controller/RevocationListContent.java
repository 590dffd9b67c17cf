package dev.planetary.controller;

import java.util.SortedMap;

/** The content of a RevocationList (VL.md §8.4); entries keyed by 16-byte prefix in hex, ascending. */
public record RevocationListContent(long networkId, long revision, long floor, SortedMap<String, Long> entries, long timestamp) {}
