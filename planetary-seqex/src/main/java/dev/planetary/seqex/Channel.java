package dev.planetary.seqex;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * One independent channel of a {@link Seqex} endpoint: its own sequence space, send window and
 * receive buffer, so a stalled channel never blocks another. Handles are cheap; all methods are
 * thread-safe. Blocking methods park on a {@link java.util.concurrent.locks.Condition} (virtual-thread
 * friendly) and throw {@link ClosedException} once the endpoint is closed.
 *
 * <p>Send methods return (or complete their future) once the packet is in the send window, which
 * blocks while the peer has not acknowledged {@code window} earlier packets: that is the flow
 * control a slow reader exerts.
 */
public final class Channel {
    private final Seqex owner;
    private final int id;

    Channel(Seqex owner, int id) {
        this.owner = owner;
        this.id = id;
    }

    public int id() {
        return id;
    }

    // ---------------------------------------------------------------- blocking

    /** Sends a plain payload: delivered exactly once, as soon as it arrives. */
    public void send(byte[] payload) throws InterruptedException {
        owner.sendBlocking(id, payload, false, false);
    }

    /** Sends a SeqCst payload: delivered exactly once, after everything sent before it on this channel. */
    public void sendSeqCst(byte[] payload) throws InterruptedException {
        owner.sendBlocking(id, payload, true, false);
    }

    /**
     * Sends {@code payload[off, off+len)} as a SeqCst payload, without a copy of its own: it returns
     * once the bytes are in the send window (copied into their packet), so the caller may then reuse
     * the array, e.g. as a read buffer.
     */
    public void sendSeqCst(byte[] payload, int off, int len) throws InterruptedException {
        owner.sendBlocking(id, java.util.Objects.requireNonNull(payload, "payload"), off, len, true, false);
    }

    /**
     * At most {@code packets} (1..window) of this channel's payloads in flight from now on: the
     * receive buffer the peer announced for it ({@link SeqexCore#limitSend}).
     */
    public void limitSendWindow(int packets) {
        owner.limitSend(id, packets);
    }

    /** Sends a request and waits for its reply. */
    public byte[] request(byte[] payload) throws InterruptedException {
        return owner.sendBlocking(id, payload, false, true);
    }

    /** Sends a SeqCst request and waits for its reply. */
    public byte[] requestSeqCst(byte[] payload) throws InterruptedException {
        return owner.sendBlocking(id, payload, true, true);
    }

    /** Waits for the next delivered message. */
    public Message receive() throws InterruptedException {
        return owner.receiveBlocking(id, -1);
    }

    /** Waits at most {@code timeout} for the next delivered message; null on timeout. */
    public Message receive(Duration timeout) throws InterruptedException {
        return owner.receiveBlocking(id, Math.max(0, timeout.toNanos()));
    }

    /**
     * Waits for at least one delivered message, then moves every buffered one, at most {@code max}, into
     * {@code into} in delivery order, stopping after the first that {@code last} accepts (a message
     * after it stays for the next call); returns how many. A burst costs one wake-up and one lock
     * round instead of one per message. Unlike {@link #receive()}, each message keeps its
     * receive-buffer slot (the peer cannot send another in its place) until it is freed: the next
     * call frees the messages still in {@code into} (the previous batch, done with; any freed
     * already are skipped) before it clears and refills it, and {@link #consumed(Message)} frees one
     * explicitly (e.g. after the last batch).
     *
     * @throws IllegalStateException if {@code into} holds an unfreed message of another channel or endpoint
     */
    public int receiveBatch(List<Message> into, int max, Predicate<Message> last) throws InterruptedException {
        return owner.receiveBatch(id, into, max, last);
    }

    /**
     * Frees the receive-buffer slot of a message taken by {@link #receiveBatch}.
     *
     * @throws IllegalStateException if it was not taken by {@code receiveBatch} or is freed already
     */
    public void consumed(Message m) {
        if (m.channel() != id) throw new IllegalArgumentException("message " + m + " is of channel " + m.channel() + ", not " + id);
        owner.consumed(m);
    }

    // ---------------------------------------------------------------- without a thread (readiness callbacks)

    /**
     * Serves this channel without a thread of its own (docs/seqex.md §5, "Without a thread"):
     * {@code readable} runs once after {@link #pollBatch} found nothing and a message then arrived;
     * {@code sendable} runs once after {@link #trySendSeqCst} found no room and the window then opened.
     * Both run after the endpoint's lock is released, on the thread that caused them (usually the
     * transport's receive thread, so they must never block), and both run once more when the endpoint
     * closes (the next call then throws {@link ClosedException}). Replaces earlier callbacks (null clears one).
     */
    public void onReady(Runnable readable, Runnable sendable) {
        owner.onReady(id, readable, sendable);
    }

    /**
     * {@link #receiveBatch} without waiting: frees the previous batch, then moves what is buffered into
     * {@code into}; returns 0 if nothing is, and then arms the {@code readable} callback of {@link #onReady}.
     */
    public int pollBatch(List<Message> into, int max, Predicate<Message> last) {
        return owner.pollBatch(id, into, max, last);
    }

    /**
     * Sends {@code payload[off, off+len)} as a SeqCst payload if the window has room now (copied into
     * its packet: the array is free again on return); otherwise sends nothing, arms the
     * {@code sendable} callback of {@link #onReady} and returns false. Never blocks.
     */
    public boolean trySendSeqCst(byte[] payload, int off, int len) {
        return owner.trySendSeqCst(id, java.util.Objects.requireNonNull(payload, "payload"), off, len);
    }

    /** The next delivered message, or null if none is buffered. */
    public Message poll() {
        return owner.poll(id);
    }

    // ---------------------------------------------------------------- futures

    /** Queues a payload; the future completes when it entered the send window. */
    public CompletableFuture<Void> sendAsync(byte[] payload, boolean seqCst) {
        return owner.sendAsync(id, payload, seqCst, false).accepted;
    }

    /** Queues a request; the future completes with the reply. */
    public CompletableFuture<byte[]> requestAsync(byte[] payload, boolean seqCst) {
        return owner.sendAsync(id, payload, seqCst, true).replyFuture;
    }

    /** A future for the next delivered message (futures are served in the order they were asked for). */
    public CompletableFuture<Message> receiveAsync() {
        return owner.receiveAsync(id);
    }

    @Override
    public String toString() {
        return "Channel[" + id + "]";
    }
}
