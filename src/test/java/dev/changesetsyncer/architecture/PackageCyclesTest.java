package dev.changesetsyncer.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No cycle between the project's packages (each sub-package counts on its own): a package may use
 * another only if that one does not use it back, directly or through others. Read from the source:
 * every {@code dev.changesetsyncer.…} type a file names, by import or in full.
 */
class PackageCyclesTest {
    static final Path SOURCES = Path.of("src/main/java");
    static final String ROOT = "dev.changesetsyncer";
    static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    /** A project type named in full: the package is everything before the first capitalised part. */
    static final Pattern PROJECT_TYPE = Pattern.compile("\\b(" + Pattern.quote(ROOT) + "(?:\\.[a-z][a-z0-9_]*)*)\\.[A-Z]");

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        Map<String, Map<String, Path>> uses = dependencies(SOURCES);

        assertThat(uses).as("packages read from %s", SOURCES.toAbsolutePath()).containsKey(ROOT + ".worker");
        assertThat(cycles(uses)).as("package cycles (each with one file per dependency)").isEmpty();
    }

    @Test
    void aCycleThroughSeveralPackagesIsFound() {
        Map<String, Map<String, Path>> uses = new TreeMap<>();
        uses.put("a", Map.of("b", Path.of("A.java")));
        uses.put("b", Map.of("c", Path.of("B.java")));
        uses.put("c", Map.of("a", Path.of("C.java"), "d", Path.of("C.java")));
        uses.put("d", Map.of());

        assertThat(cycles(uses)).singleElement().asString().contains("a -> b", "b -> c", "c -> a").doesNotContain("d");
    }

    /** For each package, the packages it uses and one file that shows it. */
    static Map<String, Map<String, Path>> dependencies(Path sources) {
        Map<String, Map<String, Path>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String text = Files.readString(file);
                Matcher declared = PACKAGE.matcher(text);
                if (!declared.find()) {
                    continue;
                }
                String from = declared.group(1);
                Map<String, Path> used = uses.computeIfAbsent(from, p -> new TreeMap<>());
                Matcher named = PROJECT_TYPE.matcher(text.substring(declared.end()));
                while (named.find()) {
                    if (!named.group(1).equals(from)) {
                        used.putIfAbsent(named.group(1), file);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return uses;
    }

    /** Each strongly connected group of more than one package, with the dependencies inside it (Tarjan). */
    static List<String> cycles(Map<String, Map<String, Path>> uses) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<String> found = new ArrayList<>();
        for (String start : uses.keySet()) {
            if (!index.containsKey(start)) {
                connect(start, uses, index, low, stack, onStack, found);
            }
        }
        return found;
    }

    private static void connect(String node, Map<String, Map<String, Path>> uses, Map<String, Integer> index,
            Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<String> found) {
        index.put(node, index.size());
        low.put(node, index.get(node));
        stack.push(node);
        onStack.add(node);
        for (String next : uses.getOrDefault(node, Map.of()).keySet()) {
            if (!index.containsKey(next)) {
                connect(next, uses, index, low, stack, onStack, found);
                low.put(node, Math.min(low.get(node), low.get(next)));
            } else if (onStack.contains(next)) {
                low.put(node, Math.min(low.get(node), index.get(next)));
            }
        }
        if (low.get(node).equals(index.get(node))) {
            Set<String> group = new TreeSet<>();
            String member;
            do {
                member = stack.pop();
                onStack.remove(member);
                group.add(member);
            } while (!member.equals(node));
            if (group.size() > 1) {
                List<String> edges = new ArrayList<>();
                for (String from : group) {
                    uses.getOrDefault(from, Map.of()).forEach((to, file) -> {
                        if (group.contains(to)) {
                            edges.add(from + " -> " + to + " (" + file + ")");
                        }
                    });
                }
                found.add(String.join(", ", edges));
            }
        }
    }
}
