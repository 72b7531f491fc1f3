package dev.changesetsyncer.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.jooq.impl.DSL;

/** A parsed {@code EXPLAIN (FORMAT JSON)} plan, for assertions on how a query runs, not how fast. */
public final class QueryPlan {
    private static final ObjectMapper json = new ObjectMapper();
    private final JsonNode root;
    private final String text;

    private QueryPlan(JsonNode root, String text) {
        this.root = root;
        this.text = text;
    }

    /** EXPLAIN (ANALYZE, BUFFERS) of {@code sql} inside a transaction that is rolled back. */
    public static QueryPlan explainAnalyze(TestDatabase database, String sql) {
        String[] result = new String[2];
        try {
            database.dsl().transaction(configuration -> {
                var dsl = DSL.using(configuration);
                result[0] = dsl.fetchSingle("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql).get(0, String.class);
                result[1] = String.join("\n", dsl.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql).getValues(0, String.class));
                throw new Rollback();
            });
        } catch (Rollback expected) {
            // the query's side effects (locks, updates) are undone
        }
        try {
            return new QueryPlan(json.readTree(result[0]).get(0), result[1]);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable EXPLAIN output", e);
        }
    }

    /**
     * The plans of the statements {@code sql} runs inside functions (a claim's CTEs, a PL/pgSQL
     * body's queries), as executed, with their buffers: auto_explain reports each one to the session,
     * in a transaction that is rolled back.
     */
    public static List<QueryPlan> explainNested(TestDatabase database, String sql) {
        List<QueryPlan> plans = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            try {
                statement.execute("LOAD 'auto_explain'");
                statement.execute("SET LOCAL auto_explain.log_min_duration = 0");
                statement.execute("SET LOCAL auto_explain.log_analyze = on");
                statement.execute("SET LOCAL auto_explain.log_buffers = on");
                statement.execute("SET LOCAL auto_explain.log_nested_statements = on");
                statement.execute("SET LOCAL auto_explain.log_format = json");
                statement.execute("SET LOCAL auto_explain.log_level = notice");
                statement.execute("SET LOCAL client_min_messages = notice");
                statement.execute(sql);
                for (SQLWarning notice = statement.getWarnings(); notice != null; notice = notice.getNextWarning()) {
                    String message = notice.getMessage();
                    int json = message.indexOf('{');
                    if (message.startsWith("duration:") && json >= 0) {
                        JsonNode plan = QueryPlan.json.readTree(message.substring(json));
                        if (!plan.path("Query Text").asText().strip().equals(sql.strip())) {
                            plans.add(new QueryPlan(plan, plan.toPrettyString()));
                        }
                    }
                }
            } finally {
                connection.rollback();
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not explain " + sql + ": " + e.getMessage(), e);
        }
        return plans;
    }

    /** The query this plan is of (for nested plans: the statement inside the function). */
    public String queryText() {
        return root.path("Query Text").asText();
    }

    /** Every plan node, depth first. */
    public List<JsonNode> nodes() {
        List<JsonNode> nodes = new ArrayList<>();
        collect(root.get("Plan"), nodes::add);
        return nodes;
    }

    public List<String> indexesUsed() {
        return nodes().stream().filter(n -> n.has("Index Name")).map(n -> n.get("Index Name").asText()).toList();
    }

    public List<String> seqScannedTables() {
        return nodes().stream().filter(n -> n.get("Node Type").asText().equals("Seq Scan"))
                .map(n -> n.get("Relation Name").asText()).toList();
    }

    /** Shared buffers hit plus read by the whole query. */
    public long buffers() {
        JsonNode plan = root.get("Plan");
        return plan.path("Shared Hit Blocks").asLong() + plan.path("Shared Read Blocks").asLong();
    }

    public double executionMillis() {
        return root.path("Execution Time").asDouble();
    }

    @Override
    public String toString() {
        return text;
    }

    private static void collect(JsonNode node, Consumer<JsonNode> sink) {
        sink.accept(node);
        for (JsonNode child : node.path("Plans")) {
            collect(child, sink);
        }
    }

    private static final class Rollback extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Rollback() {
            super(null, null, false, false);
        }
    }
}
