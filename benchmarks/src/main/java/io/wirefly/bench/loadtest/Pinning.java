package io.wirefly.bench.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the load generator and the server off each other's cores: the generator's JVM (every thread it has and
 * will have) on the first CPU, every server started afterwards on the others, through Linux's {@code taskset}. Off
 * when {@code taskset} is missing or the machine has one CPU; the results say which.
 *
 * <pre>{@code
 * Pinning.apply();                        // at the start of the run
 * command.addAll(0, Pinning.serverPrefix()); // ["taskset", "-c", "1"] for every server
 * }</pre>
 */
final class Pinning {
    private static final Path TASKSET = Path.of("/usr/bin/taskset");
    private static volatile String serverCpus;
    private static volatile String generatorCpus;

    private Pinning() {
    }

    /**
     * Pins this JVM to CPU 0 and later servers to CPUs 1..n-1.
     *
     * @return a sentence for the results saying what was done
     */
    static String apply() {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (!Files.isExecutable(TASKSET) || cpus < 2) {
            return "not pinned (" + (cpus < 2 ? "one CPU" : "no taskset") + "): the load generator and the server"
                    + " share the CPUs";
        }
        String self = Long.toString(ProcessHandle.current().pid());
        try {
            Process p = new ProcessBuilder(TASKSET.toString(), "-a", "-p", "-c", "0", self).redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return "not pinned (taskset failed: " + out.trim() + ")";
            }
        } catch (IOException e) {
            return "not pinned (taskset failed: " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not pinned (interrupted)";
        }
        generatorCpus = "0";
        serverCpus = cpus == 2 ? "1" : "1-" + (cpus - 1);
        return "pinned with taskset: the load generator on CPU " + generatorCpus + ", each server on CPU "
                + serverCpus;
    }

    /** Undoes {@link #apply}: this JVM may use every CPU again, and later servers are not pinned. */
    static void release() {
        if (serverCpus == null) {
            return;
        }
        serverCpus = null;
        generatorCpus = null;
        int cpus = Runtime.getRuntime().availableProcessors();
        try {
            Process p = new ProcessBuilder(TASKSET.toString(), "-a", "-p", "-c", "0-" + (cpus - 1),
                    Long.toString(ProcessHandle.current().pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            System.out.println("could not unpin the load generator: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return the prefix that pins a server's command, or nothing when {@link #apply} did not pin */
    static List<String> serverPrefix() {
        String cpus = serverCpus;
        return cpus == null ? List.of() : List.of(TASKSET.toString(), "-c", cpus);
    }
}
