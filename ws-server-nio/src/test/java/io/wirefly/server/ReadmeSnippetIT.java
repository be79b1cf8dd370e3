package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed's echo server as the README shows it: at most 15 lines, and it compiles against this build. */
class ReadmeSnippetIT {
    private static final String MARKER = "<!-- echo-snippet: compiled by ReadmeSnippetIT -->";

    @Test
    void theReadmeEchoServerCompilesAndIsShort() throws Exception {
        Path readme = Path.of("..", "README.md");
        List<String> lines = Files.readAllLines(readme);
        int start = lines.indexOf(MARKER);
        assertTrue(start >= 0, "README.md has the marker " + MARKER);
        assertEquals("```java", lines.get(start + 1));
        int end = start + 2;
        while (!lines.get(end).equals("```")) {
            end++;
        }
        List<String> snippet = lines.subList(start + 2, end);
        long code = snippet.stream().filter(l -> !l.isBlank() && !l.startsWith("import ")).count();
        assertTrue(code <= 15, "the echo server takes " + code + " lines besides imports");

        Path dir = Files.createTempDirectory("wirefly-snippet");
        Files.write(dir.resolve("Echo.java"), snippet);
        String classpath = Path.of("..", "ws-core", "target", "classes") + File.pathSeparator
                + Path.of("target", "classes");
        String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
        String out = Peers.run(Duration.ofSeconds(120), javac, "-Xlint:all", "-Werror", "-d", dir.toString(),
                "-cp", classpath, dir.resolve("Echo.java").toString());
        assertTrue(Files.exists(dir.resolve("Echo.class")), out);
    }
}
