package dev.planetary.controller;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A test {@link Issuer}: "signs" by hashing the content's text, and records what it issued. */
final class RecordingIssuer implements Issuer {
    final List<CredentialContent> credentials = new ArrayList<>();
    final List<ConfigContent> configs = new ArrayList<>();
    final List<RevocationListContent> lists = new ArrayList<>();

    private static Signed sign(String text) {
        byte[] pso = text.getBytes(StandardCharsets.UTF_8);
        return new Signed(pso, Controller.sha384(pso));
    }

    @Override
    public synchronized Signed credential(CredentialContent c) {
        credentials.add(c);
        return sign("MC " + c);
    }

    @Override
    public synchronized Signed config(ConfigContent c, Signed credential) {
        configs.add(c);
        return sign("NC " + c + " " + java.util.HexFormat.of().formatHex(credential.digest()));
    }

    @Override
    public synchronized Signed revocationList(RevocationListContent c) {
        lists.add(c);
        return sign("RL " + c);
    }
}
