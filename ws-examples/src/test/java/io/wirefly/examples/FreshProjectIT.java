package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a new user does, in a fresh Maven project: the README's dependency block as its {@code <dependencies>} and
 * the README's echo server as its source, compiled by the Maven wrapper against the artifacts this build just made
 * (copied into a repository of their own, with the usual local repository behind it for Maven's plugins), offline.
 */
class FreshProjectIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theReadmeCoordinatesAndEchoSnippetCompileInAFreshProject() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String rootPom = Files.readString(ROOT.resolve("pom.xml"));
        String version = property(rootPom, "revision");

        Path repo = dir.resolve("repo");
        publish(repo, "wirefly-parent", version, ROOT.resolve(".flattened-pom.xml"), null);
        for (String module : List.of("ws-core", "ws-server-nio")) {
            publish(repo, module, version, ROOT.resolve(module).resolve(".flattened-pom.xml"),
                    ROOT.resolve(module).resolve("target").resolve(module + "-" + version + ".jar"));
        }

        Matcher xml = Pattern.compile("## Add it to a project.*?```xml\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(xml.find(), "the README's first section has a dependency block");
        Matcher echo = Pattern.compile("<!-- echo-snippet: compiled by ReadmeSnippetIT -->\n```java\n(.*?)```",
                Pattern.DOTALL).matcher(readme);
        assertTrue(echo.find(), "the README has its echo snippet");

        Path project = dir.resolve("fresh");
        Files.createDirectories(project.resolve("src/main/java"));
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>demo</groupId>
                  <artifactId>fresh</artifactId>
                  <version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                %s
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <artifactId>maven-compiler-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                      <plugin>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>%s</version>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(xml.group(1), property(rootPom, "compiler-plugin.version"),
                property(rootPom, "resources-plugin.version")));
        Files.writeString(project.resolve("src/main/java/Echo.java"), echo.group(1));

        Path localRepo = Path.of(System.getProperty("user.home"), ".m2", "repository");
        Process mvn = new ProcessBuilder(ROOT.resolve("mvnw").toString(), "-B", "-q", "-o", "-f",
                project.resolve("pom.xml").toString(), "compile", "-Dmaven.repo.local=" + repo,
                "-Dmaven.repo.local.tail=" + localRepo).redirectErrorStream(true).start();
        String output = new String(mvn.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(mvn.waitFor(180, TimeUnit.SECONDS), "the fresh build finished");
        assertEquals(0, mvn.exitValue(), "the fresh project compiles:\n" + output);
        assertTrue(Files.isRegularFile(project.resolve("target/classes/Echo.class")), output);
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(pom);
        assertTrue(m.find(), name + " in the root pom");
        return m.group(1).trim();
    }

    /** Puts an artifact where a Maven local repository keeps it. */
    private static void publish(Path repo, String artifact, String version, Path pom, Path jar) throws Exception {
        Path at = repo.resolve("io/wirefly").resolve(artifact).resolve(version);
        Files.createDirectories(at);
        assertTrue(Files.isRegularFile(pom), pom + " is built before the ITs run");
        Files.copy(pom, at.resolve(artifact + "-" + version + ".pom"), StandardCopyOption.REPLACE_EXISTING);
        if (jar != null) {
            assertTrue(Files.isRegularFile(jar), jar + " is built before the ITs run");
            Files.copy(jar, at.resolve(artifact + "-" + version + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
