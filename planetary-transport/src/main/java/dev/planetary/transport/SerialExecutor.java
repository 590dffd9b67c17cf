package dev.planetary.transport;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs tasks one at a time, in submission order, on a shared executor. */
final class SerialExecutor implements Executor {
    private final Executor base;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();

    SerialExecutor(Executor base) {
        this.base = base;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    private void schedule() {
        if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
            try {
                base.execute(this::drain);
            } catch (RejectedExecutionException e) {
                running.set(false);
                tasks.clear(); // the endpoint is closing
            }
        }
    }

    private void drain() {
        try {
            Runnable r;
            int n = 0;
            while (n++ < 256 && (r = tasks.poll()) != null) r.run();
        } finally {
            running.set(false);
            schedule();
        }
    }
}
