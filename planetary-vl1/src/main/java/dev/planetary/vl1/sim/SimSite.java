package dev.planetary.vl1.sim;

/**
 * A place on the simulated WAN: a public {@link SimHost} or a {@link SimNat} with hosts behind it.
 * Link profiles and partitions are set between sites; hosts behind one NAT share its site.
 */
public sealed interface SimSite permits SimHost, SimNat {
    String name();
}
