package io.promptq.cli.bench.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** The process CPU time and the heap in use after a full GC, from the JVM's management beans. */
public final class CpuClock {

    private CpuClock() {}

    /** CPU time of the whole process (every thread, the embedded broker's too), nanoseconds; -1 if unsupported. */
    public static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * Heap in use after an explicit full collection (what is live), bytes. Each call pauses the whole JVM, the
     * embedded broker included, so callers keep the number of samples small.
     */
    public static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }
}
