package dev.planetary.seqex;

/**
 * An unreliable datagram carrier: whatever moves one SEQEX packet to the peer. Datagrams may be
 * lost, duplicated or reordered, but must arrive intact or not at all (ZSSP authenticates them).
 * Incoming datagrams are handed to {@link SeqexCore#receive} or {@link Seqex#receive} by the
 * transport.
 */
@FunctionalInterface
public interface Carrier {

    /**
     * Sends one datagram. Unless {@link #keepsPackets()} is false, the array is not reused by SEQEX
     * after the call, so implementations may keep it. Should not throw for network errors (loss is
     * expected); an exception is counted and treated as a lost datagram.
     */
    void send(byte[] payload);

    /** As {@link #send(byte[])} for {@code packet[off, off+len)}; by default a copy of its own length. */
    default void send(byte[] packet, int off, int len) {
        send(Codec.exact(packet, off, len));
    }

    /**
     * False if the carrier is done with the array when a send returns (it encrypts or copies it there
     * and keeps no reference): SEQEX then reuses the arrays of acknowledged payload packets and sends
     * them with {@link #send(byte[], int, int)} (docs/seqex.md "Pooled packets"). True by default.
     */
    default boolean keepsPackets() {
        return true;
    }
}
