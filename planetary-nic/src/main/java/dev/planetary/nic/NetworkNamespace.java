package dev.planetary.nic;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs code inside a named network namespace (VL.md §12.6): a fresh platform thread
 * {@code setns(CLONE_NEWNET)}s into {@code /run/netns/<name>} and runs the task, so the TAP and
 * sockets it creates belong to that namespace; the thread then ends, the JVM's other threads are untouched.
 * Needs CAP_SYS_ADMIN (root).
 */
public final class NetworkNamespace {
    private NetworkNamespace() {
    }

    /** The file {@code ip netns add <name>} creates. */
    public static Path path(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,200}") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("a namespace name is 1 to 200 characters of letters, digits, '_', '.', '-'");
        }
        return Path.of("/run/netns", name);
    }

    public static <T> T callIn(String name, Callable<T> task) {
        Path p = path(name);
        if (!Files.exists(p)) {
            throw new NicException("no network namespace " + name + " (" + p + "): create it with `ip netns add " + name + "`", 0);
        }
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> fault = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + name).start(() -> {
            int fd = Native.open(p.toString(), Native.O_CLOEXEC); // O_RDONLY is 0
            if (fd < 0) {
                fault.set(new NicException("cannot open " + p + ": " + Native.strerror(-fd), -fd));
                return;
            }
            int r = Native.setns(fd, Native.CLONE_NEWNET);
            Native.close(fd);
            if (r < 0) {
                fault.set(new NicException("setns(" + p + ") failed: " + Native.strerror(-r)
                        + (r == -Native.EPERM ? "; entering a network namespace needs CAP_SYS_ADMIN (root)" : ""), -r));
                return;
            }
            try {
                result.set(task.call());
            } catch (Throwable e) {
                fault.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NicException("interrupted while waiting for the namespace task", e);
        }
        Throwable f = fault.get();
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error er) {
            throw er;
        }
        if (f != null) {
            throw new NicException("task in namespace " + name + " failed: " + f, f);
        }
        return result.get();
    }
}
