package dev.changesetsyncer.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/dependencies.md lists every shipped dependency's licence as the build generates it (the
 * license-maven-plugin, at generate-resources): a dependency added or upgraded without
 * regenerating the list fails the build.
 */
class DependencyLicencesTest {
    @Test
    void theCommittedListOfLicencesIsWhatTheBuildGenerates() throws Exception {
        Path generated = Path.of(System.getProperty("dependencies.generated", "target/generated-docs/dependencies.md"));
        Path committed = Path.of(System.getProperty("dependencies.committed", "docs/dependencies.md"));

        assertThat(generated).as("the build generates the list before the tests run").exists();
        assertThat(Files.readString(committed))
                .as("docs/dependencies.md differs from what the build generates: run bin/dependency-licences and commit it")
                .isEqualTo(Files.readString(generated));
    }

    @Test
    void noShippedDependencyIsUnderALicenceThatIsNotOpenSource() throws Exception {
        String list = Files.readString(Path.of(System.getProperty("dependencies.committed", "docs/dependencies.md")));

        assertThat(list).contains("`org.liquibase:liquibase-core` | 4.33.0 | Apache-2.0")
                .doesNotContain("FSL").doesNotContain("Functional Source").doesNotContain("(none declared)");
    }
}
