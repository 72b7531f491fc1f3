package dev.changesetsyncer.cli;

import com.zaxxer.hikari.HikariDataSource;
import dev.changesetsyncer.db.DataSources;
import dev.changesetsyncer.db.DatabaseConfig;
import dev.changesetsyncer.db.DatabaseErrors;
import dev.changesetsyncer.db.LocalPostgres;
import dev.changesetsyncer.db.Migrations;
import dev.changesetsyncer.freshness.FreshnessJson;
import dev.changesetsyncer.freshness.FreshnessPlot;
import dev.changesetsyncer.freshness.FreshnessReport;
import dev.changesetsyncer.freshness.Population;
import dev.changesetsyncer.freshness.Simulation;
import dev.changesetsyncer.freshness.SimulationPlan;
import dev.changesetsyncer.freshness.Strategy;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code simulate}: freshness per API call, for each schedule strategy, on a simulated population. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Replay a simulated population of changesets and the changes on their host with each schedule "
                + "strategy - every_2_min, design (the original heuristic) and defaults (this project's rule and "
                + "settings), each with and without conditional requests, at several webhook shares - and report "
                + "API calls per changeset and day and staleness percentiles. Every sync is decided by the schema's "
                + "rule functions, in Postgres.",
            "Recreates its database (name must contain 'freshness'). Results and plot: docs/freshness.md."})
final class SimulateCommand implements Callable<Integer> {
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/changeset_syncer_freshness?user=postgres";

    @Option(names = "--database-url", paramLabel = "JDBC_URL", description = "Default: " + DEFAULT_URL + ".")
    String databaseUrl;

    @Option(names = "--changesets", paramLabel = "N", defaultValue = "100000",
            description = "Changesets in the population (default: ${DEFAULT-VALUE}).")
    long changesets;

    @Option(names = "--days", paramLabel = "D", defaultValue = "7", description = "Simulated days (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
            description = "Draws the population, its changes and the failures (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "JSON Lines: one object per strategy and webhook share.")
    boolean json;

    @Option(names = "--webhook-shares", paramLabel = "X", split = ",", defaultValue = "0,0.5,1",
            description = "Shares of changes that also arrive as webhooks (default: ${DEFAULT-VALUE}).")
    List<Double> webhookShares;

    @Option(names = "--try", paramLabel = "NAME:SETTING=VALUE,...",
            description = "Also run this project's rule with other code_hosts settings, e.g. "
                    + "--try long_finished:finished_max_delay=3d (min, max, checks_pending and finished are short for "
                    + "min_sync_delay, max_sync_delay, checks_pending_max_delay, finished_max_delay). Repeatable.")
    List<String> candidates = new ArrayList<>();

    @Option(names = "--population", paramLabel = "KEY=VALUE,...",
            description = "Change the population's defaults, e.g. active-share=0.05,bursts-per-day=6 (keys: "
                    + "docs/freshness.md).")
    String population;

    @Option(names = "--failure-rate", paramLabel = "X",
            description = "Share of attempts that fail for defaults and --try strategies (default: "
                    + SimulationPlan.DEFAULT_FAILURE_RATE + ").")
    Double failureRate;

    @Option(names = "--plot", paramLabel = "FILE.png", description = "Also draw staleness p95 against billable calls.")
    Path plot;

    @Override
    public Integer call() throws Exception {
        double failures = failureRate == null ? SimulationPlan.DEFAULT_FAILURE_RATE : failureRate;
        List<Strategy.Rule> tried = new ArrayList<>();
        for (String candidate : candidates) {
            tried.add(CandidateOption.parse(candidate, failures));
        }
        SimulationPlan plan = SimulationPlan.standard(changesets, days, seed, failures, tried)
                .withWebhookShares(webhookShares)
                .withPopulation(population == null ? Population.DEFAULTS : PopulationOption.parse(population));
        try (LocalPostgres postgres = LocalPostgres.dedicated(databaseUrl, DEFAULT_URL, "freshness");
                HikariDataSource pool = DataSources.open(new DatabaseConfig(postgres.url(), "changeset-syncer-simulate", 1))) {
            Migrations.migrate(pool);
            Simulation.Results results;
            try {
                results = Simulation.run(pool, plan, System.err::println);
            } catch (SQLException e) {
                throw new IllegalStateException("the simulation's database failed: " + DatabaseErrors.brief(e), e);
            }
            if (json) {
                FreshnessJson.print(results, System.out);
            } else {
                FreshnessReport.text(results, System.out);
            }
            if (plot != null) {
                FreshnessPlot.write(results, plot);
                System.err.println("plot: " + plot);
            }
        }
        return 0;
    }
}
