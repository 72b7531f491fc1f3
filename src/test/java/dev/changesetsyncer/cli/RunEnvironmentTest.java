package dev.changesetsyncer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.testing.CommandProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.lang.reflect.Field;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** Every option of {@code run} can be set by an environment variable, {@code --foo-bar} by {@code SYNCER_FOO_BAR}, and is documented. */
class RunEnvironmentTest {
    @TempDir
    Path workDir;

    @Test
    void everyOptionOfRunHasItsVariableAsItsDefaultAndIsListedInTheOperationsGuide() throws Exception {
        List<OptionSpec> options = Main.commandLine().getSubcommands().get("run").getCommandSpec().options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp()).toList();
        String operations = Files.readString(Path.of("docs/operations.md"));

        assertThat(options).hasSizeGreaterThanOrEqualTo(14);
        for (OptionSpec option : options) {
            String variable = variableOf(option.longestName());
            String declared = ((Field) option.userObject()).getAnnotation(Option.class).defaultValue();
            assertThat(declared).as(option.longestName())
                    .matches("\\$\\{env:" + variable + "(:-[^}]*)?}");
            assertThat(operations).as(option.longestName() + " in docs/operations.md")
                    .contains("`" + option.longestName() + "` / `$" + variable + "`");
        }
    }

    @Test
    void aVariableSetsItsOptionAndABadValueIsRefusedNamingTheOption() throws Exception {
        try (CommandProcess run = CommandProcess.start(workDir, Map.of("SYNCER_WORKERS", "0", "SYNCER_NO_HTTP", "true"),
                null, "run")) {
            assertThat(run.exitCode(2)).isEqualTo(2);
            assertThat(run.output()).contains("run: --workers must be within [1, 10000], got 0");
        }
    }

    static String variableOf(String option) {
        return "SYNCER_" + option.replaceFirst("^--", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }
}
