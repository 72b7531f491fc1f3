package dev.changesetsyncer.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
