package dev.changesetsyncer.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.codegen.JooqCodegen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The committed jOOQ sources are exactly what the current migrations generate. */
class GeneratedCodeIsCurrentTest {
    @Test
    void committedGeneratedCodeMatchesTheMigrations(@TempDir Path regenerated) throws Exception {
        JooqCodegen.generate(regenerated);

        Map<String, String> expected = read(regenerated);
        Map<String, String> committed = read(JooqCodegen.COMMITTED);

        List<String> differences = new ArrayList<>();
        expected.forEach((file, content) -> {
            if (!committed.containsKey(file)) {
                differences.add("missing: " + file);
            } else if (!committed.get(file).equals(content)) {
                differences.add("stale: " + file);
            }
        });
        committed.keySet().stream().filter(file -> !expected.containsKey(file))
                .forEach(file -> differences.add("no longer generated: " + file));

        assertThat(differences)
                .as("codegen/generated differs from what the migrations generate: run bin/codegen and commit the result")
                .isEmpty();
    }

    private static Map<String, String> read(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(path).toString(), Files.readString(path));
            }
        }
        return files;
    }
}
