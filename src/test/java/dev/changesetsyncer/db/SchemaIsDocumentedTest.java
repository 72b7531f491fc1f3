package dev.changesetsyncer.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every table, view, function and trigger says what it is for where DBAs look ({@code \d+}, {@code \df+}). */
@ExtendWith(PostgresExtension.class)
class SchemaIsDocumentedTest {
    final TestDatabase database;

    SchemaIsDocumentedTest(TestDatabase database) {
        this.database = database;
    }

    @Test
    void everyTableViewFunctionAndTriggerHasAComment() {
        assertThat(database.dsl().fetch("""
                SELECT 'function ' || p.oid::regprocedure FROM pg_proc p
                 WHERE p.pronamespace = 'public'::regnamespace AND obj_description(p.oid, 'pg_proc') IS NULL
                UNION ALL
                SELECT 'trigger ' || t.tgname || ' on ' || t.tgrelid::regclass FROM pg_trigger t
                 WHERE NOT t.tgisinternal AND obj_description(t.oid, 'pg_trigger') IS NULL
                UNION ALL
                SELECT 'relation ' || c.relname FROM pg_class c
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
                   AND c.relname NOT LIKE 'databasechangelog%' AND obj_description(c.oid, 'pg_class') IS NULL""")
                .getValues(0, String.class)).isEmpty();
    }
}
