package dev.planetary.seqex;

import java.nio.ByteBuffer;
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
    private final byte[] data; // the payload is data[off, off+len): a datagram's array when it came without a copy
    private final int off;
    private final int len;
    private volatile byte[] exact; // payload(), made once: data itself, or a copy of its range when data is a shared datagram
    private final boolean seqCst;
    private final boolean expectsReply;
    boolean replied; // guarded by owner's lock
    boolean held; // taken by Channel.receiveBatch, its receive-buffer slot not yet freed; guarded by owner's lock
    /** Its datagram's array went back to the endpoint's recycler when its slot was freed (Seqex.recycleReceived): the bytes are gone. */
    volatile boolean recycled;

    Message(Seqex owner, int channel, int seq, byte[] payload, boolean seqCst, boolean expectsReply) {
        this(owner, channel, seq, payload, 0, payload.length, seqCst, expectsReply);
    }

    Message(Seqex owner, int channel, int seq, byte[] data, int off, int len, boolean seqCst, boolean expectsReply) {
        this.owner = owner;
        this.channel = channel;
        this.seq = seq;
        this.data = data;
        this.off = off;
        this.len = len;
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

    /**
     * The payload (owned by the receiver). A payload that arrived in a datagram given to
     * {@link Seqex#receiveOwned} is copied out of it on the first call; {@link #payloadBuffer()} reads
     * it without that copy.
     */
    public byte[] payload() {
        checkNotRecycled();
        byte[] e = exact;
        if (e == null) exact = e = Codec.exact(data, off, len);
        return e;
    }

    /** The payload's length in bytes (never copies). */
    public int payloadLength() {
        return len;
    }

    /** The payload as a read-only buffer over the received bytes (never copies: the bulk path's way to read it). */
    public ByteBuffer payloadBuffer() {
        checkNotRecycled();
        return ByteBuffer.wrap(data, off, len).slice().asReadOnlyBuffer();
    }

    /** True if its payload is a view of a datagram handed over with {@link Seqex#receiveOwned} (not a copy). */
    boolean sharesDatagram() {
        return off == Codec.HEADER; // Codec.decode without a copy: the payload follows the header in the datagram's array
    }

    /** The datagram array its payload is a view of ({@link #sharesDatagram()}). */
    byte[] datagram() {
        return data;
    }

    private void checkNotRecycled() {
        if (recycled) {
            throw new IllegalStateException("message " + this + " was freed by receiveBatch/pollBatch or consumed, and its datagram reused: read it before freeing it");
        }
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
        return "Message[channel " + channel + ", seq " + Integer.toUnsignedString(seq) + ", " + len + " bytes"
                + (seqCst ? ", SeqCst" : "") + (expectsReply ? ", request" : "") + "]";
    }
}
