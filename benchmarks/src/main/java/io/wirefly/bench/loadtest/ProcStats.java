package io.wirefly.bench.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reads a process's CPU time and resident memory from Linux's {@code /proc}, and this process's open-file limit.
 */
public final class ProcStats {
    private static final long TICKS_PER_SECOND = clockTicks();

    private ProcStats() {
    }

    /**
     * @return user + system CPU time of every thread of the process so far, in nanoseconds (resolution: one clock
     *     tick, usually 10 ms)
     * @throws IOException if {@code /proc/<pid>/stat} cannot be read (the process ended)
     */
    public static long cpuNanos(long pid) throws IOException {
        String[] fields = statFields(pid);
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime (14), stime (15)
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /**
     * @return the system (kernel) part of {@link #cpuNanos}: time spent in system calls such as read, write and
     *     epoll_wait, in nanoseconds
     * @throws IOException if {@code /proc/<pid>/stat} cannot be read
     */
    public static long systemCpuNanos(long pid) throws IOException {
        return Long.parseLong(statFields(pid)[12]) * (1_000_000_000L / TICKS_PER_SECOND);
    }

    private static String[] statFields(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        // The command name (field 2) may contain spaces; fields after its closing parenthesis start at 3 (state).
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }

    /**
     * @return the process's resident set size in bytes ({@code VmRSS})
     * @throws IOException if {@code /proc/<pid>/status} cannot be read
     */
    public static long rssBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"),
                StandardCharsets.US_ASCII)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** @return this process's soft limit on open files, or -1 if unknown */
    public static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return Long.parseLong(out);
            }
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100; // the value on every common Linux build
    }
}
