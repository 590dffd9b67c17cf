package dev.planetary.controller;

import dev.planetary.identity.Fingerprint;

/** Something the controller must push after a change (VL.md §7.5 "Pushes"), to one member. */
public sealed interface Push {
    Fingerprint to();

    long networkId();

    /** NETWORK_CONFIG as an unsolicited push (PAYLOAD_SEQCST, channel 0). */
    record Config(Fingerprint to, long networkId, ConfigContent content, Signed config) implements Push {}

    /** NETWORK_CREDENTIALS carrying a new revocation list. */
    record RevocationList(Fingerprint to, long networkId, Signed list) implements Push {}
}
