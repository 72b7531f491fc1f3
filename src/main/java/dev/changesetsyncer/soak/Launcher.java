package dev.changesetsyncer.soak;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How to start another changeset-syncer JVM with the code this one runs: from a copy of the
 * packaged jar (taken once, so a rebuild during the soak changes nothing), or — when running from
 * classes, as under the tests — from this JVM's class path.
 *
 * @param prefix the command up to the changeset-syncer arguments
 * @param source what it runs, for the report
 */
record Launcher(List<String> prefix, String source) {
    /** Small heaps and the serial collector: a replica needs little, and the machine is shared. */
    private static final List<String> JVM_OPTIONS = List.of("--enable-native-access=ALL-UNNAMED", "-Xmx256m",
            "-XX:+UseSerialGC", "-Xss512k");

    Launcher {
        prefix = List.copyOf(prefix);
    }

    /** @param mainClass the command-line entry point (its class path, or its jar, is what replicas run) */
    static Launcher forThisCode(Path workDir, Class<?> mainClass) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(JVM_OPTIONS);
        Path location = codeLocation(mainClass);
        if (location.toString().endsWith(".jar")) {
            Path copy = workDir.resolve("changeset-syncer.jar");
            try {
                Files.copy(location, copy, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy " + location + " to " + copy, e);
            }
            command.addAll(List.of("-jar", copy.toString()));
            return new Launcher(command, "a copy of " + location);
        }
        // an empty entry means the working directory, whose db/ would be a second copy of the changelog
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .collect(Collectors.joining(File.pathSeparator));
        command.addAll(List.of("-cp", classPath, mainClass.getName()));
        return new Launcher(command, "the class path of this JVM (" + location + ")");
    }

    /** The full command for {@code changeset-syncer <arguments>}. */
    List<String> command(List<String> arguments) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(arguments);
        return command;
    }

    private static Path codeLocation(Class<?> mainClass) {
        try {
            return Path.of(mainClass.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where changeset-syncer's classes are: " + e.getMessage(), e);
        }
    }
}
