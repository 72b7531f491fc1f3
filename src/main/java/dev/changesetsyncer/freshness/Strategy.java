package dev.changesetsyncer.freshness;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/** How changesets are scheduled in a run: everything every two minutes, or a rule function of the schema. */
public sealed interface Strategy permits Strategy.EveryTwoMinutes, Strategy.Rule {
    String name();

    /** The old way: every changeset every two minutes, webhooks or not. Computed in closed form. */
    record EveryTwoMinutes() implements Strategy {
        public static final String NAME = "every_2_min";

        @Override
        public String name() {
            return NAME;
        }
    }

    /**
     * A schedule rule of the schema, called by name for every decision.
     *
     * @param function {@code sync_quiet_time_next_at} or {@code changeset_next_sync_at}
     * @param hostSettings code_hosts columns set on this strategy's code host (the others keep their column
     *     defaults), as Postgres reads them, e.g. {@code min_sync_delay = "2 minutes"}
     * @param failureRate share of attempts that fail (a 5xx or a timeout), retried as the rule says
     */
    record Rule(String name, String function, Map<String, String> hostSettings, double failureRate)
            implements Strategy {
        private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,39}");

        public Rule {
            Objects.requireNonNull(function, "function");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a strategy name is lower-case letters, digits and underscores, "
                        + "starting with a letter: " + name);
            }
            if (!(failureRate >= 0 && failureRate < 1)) {
                throw new IllegalArgumentException("failureRate must be in [0, 1), got " + failureRate);
            }
            hostSettings = Map.copyOf(hostSettings);
        }
    }

    /** The original heuristic: linear backoff in [2 min, 8 h], no caps by state, no jitter, no failures. */
    public static Rule design() {
        return new Rule("design", "sync_quiet_time_next_at",
                Map.of("min_sync_delay", "2 minutes", "max_sync_delay", "8 hours"), 0);
    }

    /** This project's rule with the code_hosts column defaults: state-aware caps, jitter, and failures. */
    public static Rule defaults(double failureRate) {
        return new Rule("defaults", "changeset_next_sync_at", Map.of(), failureRate);
    }

    /** This project's rule with other settings, to compare with the defaults. */
    public static Rule candidate(String name, Map<String, String> hostSettings, double failureRate) {
        if (name.equals(EveryTwoMinutes.NAME) || name.equals("design") || name.equals("defaults")) {
            throw new IllegalArgumentException("the name " + name + " is taken by a built-in strategy");
        }
        return new Rule(name, "changeset_next_sync_at", hostSettings, failureRate);
    }
}
