package dev.changesetsyncer.codegen;

import dev.changesetsyncer.testing.TestDatabases;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;

/**
 * Regenerates the jOOQ sources from a scratch database migrated with the current changelog.
 * {@code bin/codegen} runs it into {@code codegen/generated}; {@code GeneratedCodeIsCurrentTest}
 * runs it into a temporary directory and compares.
 */
public final class JooqCodegen {
    public static final Path CONFIG = Path.of(System.getProperty("codegen.config", "codegen/jooq-codegen.xml"));
    public static final Path COMMITTED = Path.of(System.getProperty("codegen.generated.dir", "codegen/generated"));

    private JooqCodegen() {}

    public static void main(String[] args) throws Exception {
        Path target = args.length > 0 ? Path.of(args[0]) : COMMITTED;
        generate(target);
        System.out.println("generated jOOQ sources into " + target.toAbsolutePath());
    }

    public static void generate(Path targetDirectory) throws Exception {
        String database = TestDatabases.createMigrated("codegen");
        try (Connection connection = DriverManager.getConnection(TestDatabases.urlOf(database));
                InputStream config = Files.newInputStream(CONFIG)) {
            Configuration configuration = GenerationTool.load(config);
            configuration.getGenerator().getTarget().setDirectory(targetDirectory.toString());
            GenerationTool tool = new GenerationTool();
            tool.setConnection(connection);
            tool.run(configuration);
        } finally {
            TestDatabases.drop(database);
        }
    }
}
