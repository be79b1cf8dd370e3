package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's code as it shows it: short, and it compiles against this build without a warning. */
class ReadmeSnippetIT {

    @Test
    void theReadmeEchoServerCompilesAndIsShort() throws Exception {
        List<String> snippet = snippet("<!-- echo-snippet: compiled by ReadmeSnippetIT -->");
        long code = snippet.stream().filter(l -> !l.isBlank() && !l.startsWith("import ")).count();
        assertTrue(code <= 15, "the echo server takes " + code + " lines besides imports");
        compile("Echo", snippet);
    }

    @Test
    void theReadmeSigtermPatternCompiles() throws Exception {
        compile("Service", snippet("<!-- sigterm-snippet: compiled by ReadmeSnippetIT -->"));
    }

    @Test
    void theReadmeRoomsServerCompiles() throws Exception {
        compile("Rooms", snippet("<!-- rooms-snippet: compiled by ReadmeSnippetIT -->"));
    }

    @Test
    void theReadmeReconnectingClientCompiles() throws Exception {
        compile("Telemetry", snippet("<!-- client-snippet: compiled by ReadmeSnippetIT -->"));
    }

    @Test
    void theReadmeStreamingUploadCompiles() throws Exception {
        compile("Uploads", snippet("<!-- streaming-snippet: compiled by ReadmeSnippetIT -->"));
    }

    @Test
    void theReadmeQuickClientCompiles() throws Exception {
        compile("Hello", snippet("<!-- quick-client-snippet: compiled by ReadmeSnippetIT -->"));
    }

    @Test
    void theReadmeTlsServerCompiles() throws Exception {
        compile("SecureEcho", snippet("<!-- tls-snippet: compiled by ReadmeSnippetIT -->"));
    }

    private static List<String> snippet(String marker) throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int start = lines.indexOf(marker);
        assertTrue(start >= 0, "README.md has the marker " + marker);
        assertEquals("```java", lines.get(start + 1));
        int end = start + 2;
        while (!lines.get(end).equals("```")) {
            end++;
        }
        return lines.subList(start + 2, end);
    }

    private static void compile(String className, List<String> source) throws Exception {
        Path dir = Files.createTempDirectory("wirefly-snippet");
        try {
            Files.write(dir.resolve(className + ".java"), source);
            String classpath = Path.of("..", "ws-core", "target", "classes") + File.pathSeparator
                    + Path.of("target", "classes");
            String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
            String out = Peers.run(Duration.ofSeconds(120), javac, "-Xlint:all", "-Werror", "-d", dir.toString(),
                    "-cp", classpath, dir.resolve(className + ".java").toString());
            assertTrue(Files.exists(dir.resolve(className + ".class")), out);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
