package dev.changesetsyncer.freshness;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A call of a schedule rule function, by name and with named arguments bound from the function's own
 * parameter list in the catalog: a parameter named like a schedule input (a column of changeset_sync_state)
 * gets the replay's state, one named like a code_hosts column gets the strategy host's value, and the two
 * that the schema names differently get their column as the trigger passes it ({@code min_delay},
 * {@code max_delay}, {@code external_updated_at}). A parameter none of these fill keeps its default. So a rule
 * that gains a setting with a default, or a code_hosts column of the same name, is simulated with no change
 * here; one that gains a parameter nothing can fill is refused by name.
 */
final class RuleCall {
    /** The schedule inputs the replay keeps for each changeset, named as in changeset_sync_state. */
    static final Set<String> STATE = Set.of("changeset_id", "cadence", "enqueued_at", "last_synced_at",
            "last_attempt_at", "synced_updated_at", "latest_event_at", "failures", "gone_at", "requested_at");

    private static final Map<String, String> STATE_ALIASES = Map.of("external_updated_at", "synced_updated_at");
    private static final Map<String, String> HOST_ALIASES = Map.of(
            "min_delay", "min_sync_delay", "max_delay", "max_sync_delay");

    private sealed interface Argument permits FromState, FromHost {
        String parameter();
    }

    private record FromState(String parameter, String column) implements Argument {}

    private record FromHost(String parameter, String column, StrategyHost.Column value) implements Argument {}

    private final String function;
    private final List<Argument> arguments;
    private final List<String> defaulted;

    private RuleCall(String function, List<Argument> arguments, List<String> defaulted) {
        this.function = function;
        this.arguments = arguments;
        this.defaulted = defaulted;
    }

    static RuleCall bind(Connection connection, String function, Map<String, StrategyHost.Column> host)
            throws SQLException {
        List<Argument> arguments = new ArrayList<>();
        List<String> defaulted = new ArrayList<>();
        for (Parameter parameter : parameters(connection, function)) {
            String name = parameter.name();
            String stateColumn = STATE.contains(name) ? name : STATE_ALIASES.get(name);
            String hostColumn = host.containsKey(name) ? name : HOST_ALIASES.get(name);
            if (stateColumn != null) {
                arguments.add(new FromState(name, stateColumn));
            } else if (hostColumn != null && host.containsKey(hostColumn)) {
                arguments.add(new FromHost(name, hostColumn, host.get(hostColumn)));
            } else if (parameter.hasDefault()) {
                defaulted.add(name);
            } else {
                throw new IllegalStateException(function + "() has a parameter " + name + " that the simulation cannot "
                        + "fill: it is neither a schedule input (" + String.join(", ", STATE.stream().sorted().toList())
                        + ") nor a code_hosts column, and has no default");
            }
        }
        return new RuleCall(function, arguments, defaulted);
    }

    /** The call, with the state columns read from {@code alias}. */
    String render(String alias) {
        List<String> rendered = new ArrayList<>();
        for (Argument argument : arguments) {
            rendered.add(argument.parameter() + " => " + switch (argument) {
                case FromState state -> alias + "." + state.column();
                case FromHost host -> host.value().literal();
            });
        }
        return function + "(" + String.join(", ", rendered) + ")";
    }

    /** What the settings are bound to, for the report: {@code min_delay = code_hosts.min_sync_delay (00:02:00)}. */
    String describe() {
        List<String> settings = new ArrayList<>();
        for (Argument argument : arguments) {
            if (argument instanceof FromHost host) {
                settings.add(host.parameter() + " = " + host.value().value()
                        + (host.parameter().equals(host.column()) ? "" : " (" + host.column() + ")"));
            }
        }
        for (String name : defaulted) {
            settings.add(name + " = its default");
        }
        return function + ": " + String.join(", ", settings);
    }

    private record Parameter(String name, boolean hasDefault) {}

    /** The parameters of the function's overload with the most of them (a newer signature beside an older one). */
    private static List<Parameter> parameters(Connection connection, String function) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("""
                SELECT a.name, a.position > p.pronargs - p.pronargdefaults AS has_default
                  FROM (SELECT * FROM pg_proc
                         WHERE proname = ? AND pronamespace = 'public'::regnamespace AND prokind = 'f'
                         ORDER BY pronargs DESC
                         LIMIT 1) p
                 CROSS JOIN LATERAL unnest(p.proargnames[1:p.pronargs]) WITH ORDINALITY a(name, position)
                 ORDER BY a.position""")) {
            select.setString(1, function);
            List<Parameter> parameters = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    parameters.add(new Parameter(rows.getString(1), rows.getBoolean(2)));
                }
            }
            if (parameters.isEmpty()) {
                throw new IllegalStateException("the schema has no function " + function + "() with named parameters");
            }
            return parameters;
        }
    }
}
