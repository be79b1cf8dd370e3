package io.wirefly.bench.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the numbers were measured on: CPU model and count, memory, OS, JDK, the Wirefly commit and the time, read
 * from {@code /proc}, system properties and git; printed at the head of every results file.
 *
 * <pre>{@code
 * Map<String, String> facts = Machine.describe();
 * }</pre>
 */
public final class Machine {
    private Machine() {
    }

    /** @return an ordered map of facts, each a short line of text ("unknown" where a source is missing) */
    public static Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("date", ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        facts.put("cpu", cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores available");
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        facts.put("memory", (os.getTotalMemorySize() >> 20) + " MiB");
        facts.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + osRelease());
        facts.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        facts.put("load average at start", String.format(java.util.Locale.ROOT, "%.2f", os.getSystemLoadAverage()));
        facts.put("wirefly commit", git());
        return facts;
    }

    /**
     * @param facts from {@link #describe()}
     * @return the facts as a Markdown bullet list
     */
    public static String markdown(Map<String, String> facts) {
        StringBuilder md = new StringBuilder();
        facts.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
        return md.toString();
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            return "unknown CPU";
        }
        return "unknown CPU";
    }

    private static String osRelease() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"), StandardCharsets.UTF_8)) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return " (" + line.substring("PRETTY_NAME=".length()).replace("\"", "") + ")";
                }
            }
        } catch (IOException e) {
            return "";
        }
        return "";
    }

    private static String git() {
        try {
            Process p = new ProcessBuilder("git", "describe", "--always", "--dirty").redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return out;
            }
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }
}
