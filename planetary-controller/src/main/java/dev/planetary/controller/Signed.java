package dev.planetary.controller;

/** A signed object as sent: the PSO bytes and its 48-byte digest (what a config's revocation reference names, VL.md §7.4). */
public record Signed(byte[] pso, byte[] digest) {
    public Signed {
        pso = pso.clone();
        digest = digest.clone();
    }

    @Override
    public byte[] pso() {
        return pso.clone();
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }
}
