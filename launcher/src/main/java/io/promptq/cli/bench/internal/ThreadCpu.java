package io.promptq.cli.bench.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;

/**
 * A snapshot of every live platform thread's CPU time, to attribute a scenario's CPU to components. Virtual
 * threads are not listed; their CPU shows up in their carrier threads.
 */
public final class ThreadCpu {

    private final Map<Long, String> names;
    private final Map<Long, Long> cpu;
    private final long processCpu;

    private ThreadCpu(Map<Long, String> names, Map<Long, Long> cpu, long processCpu) {
        this.names = names;
        this.cpu = cpu;
        this.processCpu = processCpu;
    }

    public static ThreadCpu snapshot() {
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> cpu = new HashMap<>();
        long processCpu = CpuClock.processCpuNanos();
        if (bean.isThreadCpuTimeSupported()) {
            for (ThreadInfo info : bean.getThreadInfo(bean.getAllThreadIds())) {
                if (info == null) {
                    continue;
                }
                long t = bean.getThreadCpuTime(info.getThreadId());
                if (t >= 0) {
                    names.put(info.getThreadId(), info.getThreadName());
                    cpu.put(info.getThreadId(), t);
                }
            }
        }
        return new ThreadCpu(names, cpu, processCpu);
    }

    /** CPU nanoseconds per thread name between {@code before} and this snapshot (threads alive now). */
    public Map<String, Long> since(ThreadCpu before) {
        Map<String, Long> delta = new HashMap<>();
        for (Map.Entry<Long, Long> e : cpu.entrySet()) {
            long d = e.getValue() - before.cpu.getOrDefault(e.getKey(), 0L);
            delta.merge(names.get(e.getKey()), Math.max(0, d), Long::sum);
        }
        return delta;
    }

    /** Process CPU nanoseconds between {@code before} and this snapshot. */
    public long processSince(ThreadCpu before) {
        return processCpu - before.processCpu;
    }
}
