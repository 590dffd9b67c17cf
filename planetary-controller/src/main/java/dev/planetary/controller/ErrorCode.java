package dev.planetary.controller;

/** The ERROR codes the controller answers NETWORK_CONFIG_REQUEST and queries with (VL.md §7.3, §7.5). */
public enum ErrorCode {
    OBJ_NOT_FOUND,
    NETWORK_ACCESS_DENIED,
    RATE_LIMITED;

    /** NETWORK_ACCESS_DENIED reasons (§7.5 step 3). */
    public static final int DENIED = 0, PENDING = 1, REVOKED = 2;
}
