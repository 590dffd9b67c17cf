package dev.planetary.transport;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the calling thread's CPU scheduling weight: raises its Linux nice value with
 * {@code getpriority}/{@code setpriority(PRIO_PROCESS, 0, …)}, called through FFM. On Linux (NPTL)
 * {@code who = 0} names the calling thread alone, not the process (setpriority(2), "BUGS"), and
 * raising a nice value needs no privilege. Each nice step is ~1.25× less CPU weight under the
 * kernel's fair scheduler (nice 10 against 0: ~1/9 of a contended core).
 *
 * <p>Best effort: off Linux (where the same call would renice the whole process), without native
 * access for this module ({@code --enable-native-access}; checked first, so the JVM never prints
 * its restricted-method warning on our behalf), or if libc refuses, the thread keeps its weight
 * and the reason is logged once at debug.
 *
 * <p>This jar keeps its Java 21 floor, where FFM is a preview API: the downcalls are made through
 * reflection on {@code java.lang.foreign} when running on Java 22 or newer, and skipped before.
 */
final class ThreadNice {
    private static final Logger log = LoggerFactory.getLogger(ThreadNice.class);
    /** The highest (weakest) nice value on Linux. */
    static final int MAX = 19;
    private static final int PRIO_PROCESS = 0;
    private static final AtomicBoolean reported = new AtomicBoolean();

    private ThreadNice() {
    }

    /**
     * Raises the calling thread's nice value by {@code steps} (0..{@value #MAX}; the result is
     * capped at {@value #MAX}). Returns true if the thread now runs at the raised value; false
     * (logged once at debug) where it cannot, and for 0 steps.
     */
    static boolean raise(int steps) {
        if (steps < 0 || steps > MAX) throw new IllegalArgumentException("nice steps must be 0.." + MAX + ", got " + steps);
        if (steps == 0) return false;
        String problem = Libc.PROBLEM;
        if (problem == null) {
            try {
                // getpriority(PRIO_PROCESS, 0) cannot fail on Linux: its -1 is a nice value here.
                int current = (int) Libc.GETPRIORITY.invokeExact(PRIO_PROCESS, 0);
                if ((int) Libc.SETPRIORITY.invokeExact(PRIO_PROCESS, 0, Math.min(MAX, current + steps)) == 0) return true;
                problem = "setpriority returned -1";
            } catch (Throwable t) {
                problem = "setpriority failed: " + t;
            }
        }
        if (reported.compareAndSet(false, true)) {
            log.debug("handshake threads keep the default CPU weight ({})", problem);
        }
        return false;
    }

    /** The downcalls, made on first use; {@link #PROBLEM} says why there are none. */
    private static final class Libc {
        static final MethodHandle GETPRIORITY;
        static final MethodHandle SETPRIORITY;
        static final String PROBLEM;

        static {
            MethodHandle get = null;
            MethodHandle set = null;
            String problem = null;
            try {
                if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
                    problem = "not Linux: os.name " + System.getProperty("os.name");
                } else if (Runtime.version().feature() < 22) {
                    problem = "FFM needs Java 22 or newer, running " + Runtime.version();
                } else if (!(boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(ThreadNice.class.getModule())) {
                    problem = "native access is not enabled for " + ThreadNice.class.getModule()
                            + " (java --enable-native-access=dev.planetary.transport, or ALL-UNNAMED on the class path)";
                } else {
                    get = downcall("getpriority", 2);
                    set = downcall("setpriority", 3);
                    if (get == null || set == null) problem = "libc has no getpriority/setpriority";
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) { // IllegalCallerException: native access denied
                problem = e.toString();
            }
            GETPRIORITY = get;
            SETPRIORITY = set;
            PROBLEM = problem;
        }

        /**
         * {@code Linker.nativeLinker().downcallHandle(defaultLookup().find(name), FunctionDescriptor.of(JAVA_INT, JAVA_INT × ints))}
         * by reflection (type {@code (int…)int}), or null if libc has no {@code name}.
         */
        private static MethodHandle downcall(String name, int ints) throws ReflectiveOperationException {
            Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            Class<?> lookupClass = Class.forName("java.lang.foreign.SymbolLookup");
            Class<?> segmentClass = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
            Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
            Optional<?> symbol = (Optional<?>) lookupClass.getMethod("find", String.class).invoke(lookup, name);
            if (symbol.isEmpty()) return null;
            Object javaInt = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_INT").get(null);
            Object args = Array.newInstance(layoutClass, ints);
            for (int i = 0; i < ints; i++) Array.set(args, i, javaInt);
            Object descriptor = descriptorClass.getMethod("of", layoutClass, args.getClass()).invoke(null, javaInt, args);
            return (MethodHandle) linkerClass.getMethod("downcallHandle", segmentClass, descriptorClass, optionClass.arrayType())
                    .invoke(linker, symbol.get(), descriptor, Array.newInstance(optionClass, 0));
        }
    }
}
