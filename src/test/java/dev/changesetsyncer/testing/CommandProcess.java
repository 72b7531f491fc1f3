package dev.changesetsyncer.testing;

import dev.changesetsyncer.cli.Main;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code changeset-syncer <arguments>} as its own JVM on this build's classes, with the environment
 * and working directory a test chooses; what it printed goes to a file, read at any time.
 */
public final class CommandProcess implements AutoCloseable {
    private final Process process;
    private final Path output;

    private CommandProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /**
     * @param classPathPrefix put before this JVM's class path entries ("" adds an empty entry: the working directory)
     */
    public static CommandProcess start(Path workDir, Map<String, String> environment, String classPathPrefix,
            String... arguments) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.isBlank())
                .collect(Collectors.joining(File.pathSeparator));
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", classPathPrefix == null ? classPath : classPathPrefix + File.pathSeparator + classPath,
                Main.class.getName()));
        command.addAll(List.of(arguments));
        try {
            Path output = Files.createTempFile("changeset-syncer-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(name -> name.startsWith("SYNCER_"));
            builder.environment().putAll(environment);
            return new CommandProcess(builder.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exit code, once the process ends by itself; fails if it is still running after {@code minutes}. */
    public int exitCode(int minutes) throws InterruptedException {
        if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
            throw new AssertionError("still running after " + minutes + " minutes; it printed:\n" + output());
        }
        return process.exitValue();
    }

    /** SIGTERM, as a service manager stops a service; then {@link #exitCode} says how it ended. */
    public void terminate() {
        process.destroy(); // SIGTERM on Linux and macOS
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything printed so far (standard output and error). */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        try {
            Files.deleteIfExists(output);
        } catch (IOException e) {
            // a temporary file: nothing to do
        }
    }
}
