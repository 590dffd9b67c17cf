package dev.planetary.transport;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs tasks one at a time, in submission order, on a shared executor, with a bounded queue.
 *
 * <p>A task carries a weight (the bytes of the payload it delivers, 0 for events). A task is
 * refused ({@link #submit} returns false; the caller counts the drop) when this queue already
 * holds {@code maxTasks} tasks, or when its weight would take this queue past {@code maxBytes} or
 * the endpoint-wide {@link Budget} past its limit. A slow consumer (a listener blocked writing to a
 * pipe nobody reads) therefore costs at most the bounds, never the heap; the producer (the receive
 * thread) never waits. An empty queue takes one task whatever its weight, so one large payload is
 * always deliverable.
 */
final class SerialExecutor {

    /** Bytes queued over all the executors of one endpoint. */
    static final class Budget {
        final long maxBytes;
        final AtomicLong queued = new AtomicLong();

        Budget(long maxBytes) {
            this.maxBytes = maxBytes;
        }
    }

    private record Task(Runnable run, long weight) {}

    private final Executor base;
    private final int maxTasks;
    private final long maxBytes;
    private final Budget budget;
    private final Queue<Task> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();

    SerialExecutor(Executor base, int maxTasks, long maxBytes, Budget budget) {
        this.base = base;
        this.maxTasks = maxTasks;
        this.maxBytes = maxBytes;
        this.budget = budget;
    }

    /** Queues {@code task}; false (nothing queued) if it would exceed a bound. */
    boolean submit(Runnable task, long weight) {
        if (count.incrementAndGet() > maxTasks) {
            count.decrementAndGet();
            return false;
        }
        boolean first = bytes.getAndAdd(weight) == 0;
        long total = budget.queued.addAndGet(weight);
        if (!first && (bytes.get() > maxBytes || total > budget.maxBytes)) {
            release(weight);
            return false;
        }
        tasks.add(new Task(task, weight));
        schedule();
        return true;
    }

    /** Tasks waiting or running. */
    int queued() {
        return count.get();
    }

    /** Bytes of the tasks waiting or running. */
    long queuedBytes() {
        return bytes.get();
    }

    private void release(long weight) {
        count.decrementAndGet();
        bytes.addAndGet(-weight);
        budget.queued.addAndGet(-weight);
    }

    private void schedule() {
        if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
            try {
                base.execute(this::drain);
            } catch (RejectedExecutionException e) {
                running.set(false);
                for (Task t; (t = tasks.poll()) != null; ) release(t.weight()); // the endpoint is closing
            }
        }
    }

    private void drain() {
        try {
            Task t;
            int n = 0;
            while (n++ < 256 && (t = tasks.poll()) != null) {
                try {
                    t.run().run();
                } finally {
                    release(t.weight());
                }
            }
        } finally {
            running.set(false);
            schedule();
        }
    }
}
