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
     * Sends one datagram. The array is not reused by SEQEX after the call, so implementations may
     * keep it. Should not throw for network errors (loss is expected); an exception is counted and
     * treated as a lost datagram.
     */
    void send(byte[] payload);
}
