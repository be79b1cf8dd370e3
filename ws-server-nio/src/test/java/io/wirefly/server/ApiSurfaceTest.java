package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The exported API (public and protected members of public types in the packages that module-info exports to
 * everyone; qualified exports of {@code ...internal...} packages are not API) must equal
 * {@code api/ws-server-nio.txt}.
 * Changing the API means changing that file in the same commit: run
 * {@code ./mvnw -pl ws-server-nio test -Dtest=ApiSurfaceTest -Dapi.update=true} to rewrite it, then review the diff.
 */
class ApiSurfaceTest {

    private static final String MODULE = "io.wirefly.server";
    private static final Path SNAPSHOT = Path.of("api", "ws-server-nio.txt");

    @Test
    void exportedApiMatchesTheSnapshot() throws Exception {
        Path classes = Path.of(WebSocketServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor module = ModuleFinder.of(classes).findAll().iterator().next().descriptor();
        assertEquals(MODULE, module.name());
        TreeSet<String> api = new TreeSet<>();
        int unqualified = 0;
        for (ModuleDescriptor.Exports export : module.exports()) {
            if (!export.targets().isEmpty()) {
                assertTrue(export.source().contains(".internal"),
                        "only internal packages may have qualified exports: " + export);
                continue;
            }
            assertTrue(!export.source().contains(".internal"), "an internal package is exported to all: " + export);
            unqualified++;
            for (Class<?> type : typesIn(classes, export.source())) {
                describe(type, api);
            }
        }
        // the server and client, and the cluster SPI with its NATS adapter
        assertEquals(2, unqualified, "exported packages of " + MODULE + ": " + module.exports());
        String actual = String.join("\n", api) + "\n";
        if (Boolean.getBoolean("api.update")) {
            Files.createDirectories(SNAPSHOT.getParent());
            Files.writeString(SNAPSHOT, actual, StandardCharsets.UTF_8);
        }
        String expected = Files.exists(SNAPSHOT) ? Files.readString(SNAPSHOT, StandardCharsets.UTF_8) : "";
        if (!expected.equals(actual)) {
            fail("the exported API of " + MODULE + " differs from " + SNAPSHOT.toAbsolutePath()
                    + " (- snapshot, + code):\n" + diff(expected, actual)
                    + "If the change is intended, regenerate the snapshot with\n"
                    + "  ./mvnw -pl ws-server-nio test -Dtest=ApiSurfaceTest -Dapi.update=true\n"
                    + "and commit api/ws-server-nio.txt with the change.");
        }
    }

    /** The lines only in the snapshot (-) and only in the code (+), in sorted order. */
    private static String diff(String expected, String actual) {
        TreeSet<String> before = new TreeSet<>(expected.lines().toList());
        TreeSet<String> after = new TreeSet<>(actual.lines().toList());
        StringBuilder out = new StringBuilder();
        TreeSet<String> all = new TreeSet<>(before);
        all.addAll(after);
        for (String line : all) {
            if (!after.contains(line)) {
                out.append("- ").append(line).append('\n');
            } else if (!before.contains(line)) {
                out.append("+ ").append(line).append('\n');
            }
        }
        return out.toString();
    }

    private static List<Class<?>> typesIn(Path classes, String pkg) throws IOException, ClassNotFoundException {
        Path dir = classes.resolve(pkg.replace('.', '/'));
        List<Class<?>> types = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                String binaryName = pkg + "." + f.getFileName().toString().replace(".class", "");
                Class<?> type = Class.forName(binaryName, false, ApiSurfaceTest.class.getClassLoader());
                if (isApi(type)) {
                    types.add(type);
                }
            }
        }
        return types;
    }

    // A type is API when it and every enclosing type are public (a nested type may also be protected).
    private static boolean isApi(Class<?> type) {
        for (Class<?> t = type; t != null; t = t.getDeclaringClass()) {
            if (t.isAnonymousClass() || t.isLocalClass() || t.isSynthetic()) {
                return false;
            }
            int m = t.getModifiers();
            if (!Modifier.isPublic(m) && !(t.getDeclaringClass() != null && Modifier.isProtected(m))) {
                return false;
            }
        }
        return true;
    }

    private static void describe(Class<?> type, TreeSet<String> api) {
        String name = type.getName();
        api.add(name + " : " + kind(type) + " " + Modifier.toString(type.getModifiers() & ~Modifier.INTERFACE
                & ~Modifier.ABSTRACT & ~Modifier.STATIC)
                + (type.getGenericSuperclass() == null || type.getSuperclass() == Object.class
                   || type.getSuperclass() == Record.class || type.getSuperclass() == Enum.class
                   ? "" : " extends " + type.getGenericSuperclass().getTypeName())
                + (type.getGenericInterfaces().length == 0 ? "" : " implements " + String.join(", ",
                   Stream.of(type.getGenericInterfaces()).map(t -> t.getTypeName()).toList())));
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (visible(c)) {
                api.add(name + " : " + c.toGenericString());
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (visible(m) && !m.isBridge()) {
                // synchronized is an implementation detail, not API.
                api.add(name + " : " + m.toGenericString().replace("synchronized ", ""));
            }
        }
        for (Field f : type.getDeclaredFields()) {
            if (visible(f)) {
                api.add(name + " : " + f.toGenericString());
            }
        }
    }

    private static String kind(Class<?> type) {
        return type.isAnnotation() ? "@interface" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
                : type.isRecord() ? "record" : Modifier.isAbstract(type.getModifiers()) ? "abstract class" : "class";
    }

    private static boolean visible(Member m) {
        return !m.isSynthetic() && (Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers()));
    }
}
