package dev.planetary.seqex;

import java.util.concurrent.CompletableFuture;

/**
 * A payload delivered by a {@link Seqex} channel. If {@link #expectsReply()}, answer it exactly once
 * with one of the reply methods (a request's sender waits for that reply; until it is sent the
 * request also occupies one slot of this channel's receive capacity).
 */
public final class Message {
    private final Seqex owner;
    private final int channel;
    private final int seq;
    private final byte[] payload;
    private final boolean seqCst;
    private final boolean expectsReply;
    boolean replied; // guarded by owner's lock
    boolean held; // taken by Channel.receiveBatch, its receive-buffer slot not yet freed; guarded by owner's lock

    Message(Seqex owner, int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {
        this.owner = owner;
        this.channel = channel;
        this.seq = seq;
        this.payload = payload;
        this.seqCst = seqCst;
        this.expectsReply = expectsReply;
    }

    Seqex owner() {
        return owner;
    }

    public int channel() {
        return channel;
    }

    /** The sender's sequence number of this payload. */
    public int seq() {
        return seq;
    }

    /** The payload (owned by the receiver; not copied). */
    public byte[] payload() {
        return payload;
    }

    public boolean seqCst() {
        return seqCst;
    }

    public boolean expectsReply() {
        return expectsReply;
    }

    /** Sends the reply, blocking while the send window is full. */
    public void reply(byte[] payload) throws InterruptedException {
        owner.replyBlocking(this, payload, false);
    }

    /** Sends a SeqCst reply (delivered after everything this side sent before it), blocking while the window is full. */
    public void replySeqCst(byte[] payload) throws InterruptedException {
        owner.replyBlocking(this, payload, true);
    }

    /** Queues the reply; the future completes when it entered the send window. */
    public CompletableFuture<Void> replyAsync(byte[] payload, boolean seqCst) {
        return owner.replyAsync(this, payload, seqCst);
    }

    @Override
    public String toString() {
        return "Message[channel " + channel + ", seq " + Integer.toUnsignedString(seq) + ", " + payload.length + " bytes"
                + (seqCst ? ", SeqCst" : "") + (expectsReply ? ", request" : "") + "]";
    }
}
