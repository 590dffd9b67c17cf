package dev.planetary.vl1;

/**
 * ROOT_SET ({@code 0x19}, root → node): {@code 0x19 ‖ root set bytes} (§4.2). The root set (§4.1,
 * magic "PLRT") is carried opaque here; parsing, signature checks and the update rule belong to the
 * identity module. Must not be empty.
 */
public record RootSet(Bytes rootSet) implements Vl1Message {
    public RootSet {
        if (rootSet.length() == 0) throw new IllegalArgumentException("ROOT_SET carries a root set; it is empty");
    }

    @Override
    public int verb() {
        return Verb.ROOT_SET;
    }
}
