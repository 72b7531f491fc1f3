package dev.changesetsyncer.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.changesetsyncer.secrets.Secrets;
import dev.changesetsyncer.testing.CommandProcess;
import dev.changesetsyncer.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

/** SYNCER_LOG_FORMAT=json: the production logback.xml writes one JSON object per line, secrets masked. */
class JsonLogTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workDir;

    @Test
    void theProductionConfigurationWritesOneJsonObjectPerLineWithSecretsMasked() throws Exception {
        Secrets.register("s3cret-in-a-json-line");
        String written = logWithProductionConfiguration("json", logger -> {
            MDC.put("worker", "syncer-a");
            try {
                logger.info("host said {}", "token s3cret-in-a-json-line\nFAKE {\"forged\": 1}");
                logger.error("failed", new IllegalStateException("Bearer s3cret-in-a-json-line"));
            } finally {
                MDC.remove("worker");
            }
        });

        List<String> lines = written.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(written).doesNotContain("s3cret-in-a-json-line");
        JsonNode first = JSON.readTree(lines.get(0));
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("loggerName").asText()).isEqualTo("json-log-test");
        assertThat(first.get("formattedMessage").asText()).isEqualTo("host said token ***\nFAKE {\"forged\": 1}");
        assertThat(first.get("mdc").get("worker").asText()).isEqualTo("syncer-a");
        assertThat(first.has("timestamp")).isTrue();
        JsonNode second = JSON.readTree(lines.get(1));
        assertThat(second.get("level").asText()).isEqualTo("ERROR");
        assertThat(second.get("throwable").get("message").asText()).isEqualTo("Bearer ***");
    }

    @Test
    void textStaysTheDefault() throws Exception {
        String written = logWithProductionConfiguration(null, logger -> logger.info("plain {}", "words"));

        assertThat(written).contains(" INFO  json-log-test").contains("- plain words").doesNotContain("{");
    }

    @Test
    void anUnknownFormatIsAClearErrorBeforeAnythingLogs() throws Exception {
        assertThat(LogFormat.problem(Map.of(LogFormat.VARIABLE, "JSON")))
                .hasValue("SYNCER_LOG_FORMAT must be text or json (lower case), got \"JSON\"");
        assertThat(LogFormat.problem(Map.of(LogFormat.VARIABLE, "json"))).isEmpty();
        assertThat(LogFormat.problem(Map.of())).isEmpty();
        try (CommandProcess migrate = CommandProcess.start(workDir, Map.of(LogFormat.VARIABLE, "xml"), null, "migrate")) {
            assertThat(migrate.exitCode(2)).isEqualTo(2);
            assertThat(migrate.output().strip()).isEqualTo("changeset-syncer: SYNCER_LOG_FORMAT must be text or json "
                    + "(lower case), got \"xml\"");
        }
    }

    @Test
    void aRealProcessLogsJsonLines() throws Exception {
        // the test classes' logback-test.xml would win: put the production one first, under that name
        Path config = Files.createDirectories(workDir.resolve("config"));
        Files.copy(Path.of("src/main/resources/logback.xml"), config.resolve("logback-test.xml"));
        String database = TestDatabases.createEmpty("jsonlog");
        try (CommandProcess migrate = CommandProcess.start(workDir, Map.of(LogFormat.VARIABLE, "json"),
                config.toString(), "migrate", "--database-url", TestDatabases.urlOf(database))) {
            assertThat(migrate.exitCode(3)).as(migrate.output()).isZero();
            List<String> logLines = migrate.output().lines().filter(l -> l.startsWith("{")).toList();
            assertThat(logLines).isNotEmpty();
            for (String line : logLines) {
                assertThat(JSON.readTree(line).get("level")).as(line).isNotNull();
            }
            assertThat(logLines).anySatisfy(l -> assertThat(JSON.readTree(l).get("formattedMessage").asText())
                    .contains("schema changesets"));
        } finally {
            TestDatabases.drop(database);
        }
    }

    private interface Logging {
        void log(Logger logger);
    }

    /** Configures a fresh Logback context from src/main/resources/logback.xml and returns what it wrote to stderr. */
    private static String logWithProductionConfiguration(String format, Logging logging) throws Exception {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(MDC.getMDCAdapter()); // the one MDC.put writes to
        if (format != null) {
            context.putProperty(LogFormat.VARIABLE, format);
        }
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            URL production = Path.of("src/main/resources/logback.xml").toUri().toURL();
            configurator.doConfigure(production);
            logging.log(context.getLogger("json-log-test"));
        } finally {
            context.stop();
            System.setErr(stderr);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
