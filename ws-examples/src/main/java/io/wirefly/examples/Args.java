package io.wirefly.examples;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A small command-line parser for the examples: {@code --name value} options, {@code --flag} switches, positionals. */
final class Args {
    /** A bad command line: the message is printed with the usage, and the program exits with status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> options = new HashMap<>();
    private final List<String> positionals = new ArrayList<>();

    /**
     * @param argv the arguments after the sub-command
     * @param valued options that take a value
     * @param switches options that take none
     */
    Args(String[] argv, Set<String> valued, Set<String> switches) {
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.startsWith("--")) {
                if (switches.contains(a)) {
                    options.put(a, "true");
                } else if (valued.contains(a)) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(a + " needs a value");
                    }
                    options.put(a, argv[++i]);
                } else {
                    throw new UsageException("unknown option " + a);
                }
            } else {
                positionals.add(a);
            }
        }
    }

    boolean has(String name) {
        return options.containsKey(name);
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    int intValue(String name, int fallback, int min, int max) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new UsageException(name + " must be " + min + ".." + max + ", was " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number, was " + v);
        }
    }

    List<String> positionals() {
        return positionals;
    }
}
