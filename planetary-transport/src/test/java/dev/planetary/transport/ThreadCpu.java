package dev.planetary.transport;

import java.lang.reflect.Method;

/**
 * CPU time of a thread ({@code ThreadMXBean.getThreadCpuTime}) and used heap, reached reflectively:
 * this module's descriptor does not read {@code java.management}, and tests run on the class path.
 */
final class ThreadCpu {
    private ThreadCpu() {}

    static long cpuNanos(long threadId) {
        try {
            Class<?> mf = Class.forName("java.lang.management.ManagementFactory");
            Object bean = mf.getMethod("getThreadMXBean").invoke(null);
            Method m = Class.forName("java.lang.management.ThreadMXBean").getMethod("getThreadCpuTime", long.class);
            return (Long) m.invoke(bean, threadId);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** CPU time of several threads together (e.g. an endpoint's plane threads). */
    static long cpuNanos(java.util.List<Long> threadIds) {
        long sum = 0;
        for (long id : threadIds) sum += cpuNanos(id);
        return sum;
    }

    /** Used heap after a few full GCs (bytes). */
    static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
