package dev.changesetsyncer.testing;

import java.util.List;
import org.jooq.DSLContext;

/**
 * The public schema as sorted lines of text — types, tables and columns, constraints, indexes,
 * functions, views, triggers and every comment — so that two databases can be compared line by line.
 */
public final class SchemaFingerprint {
    private SchemaFingerprint() {}

    public static List<String> of(DSLContext sql) {
        return sql.fetch("""
                SELECT line FROM (
                    SELECT format('type %s: %s', t.typname, string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)) AS line
                      FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
                     WHERE t.typnamespace = 'public'::regnamespace GROUP BY t.typname
                    UNION ALL
                    SELECT format('%s %s: %s %s%s default %s -- %s', c.relkind, c.relname, a.attnum, a.attname,
                                  format_type(a.atttypid, a.atttypmod), pg_get_expr(d.adbin, d.adrelid),
                                  col_description(c.oid, a.attnum))
                      FROM pg_class c
                      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
                     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
                       AND c.relname NOT LIKE 'databasechangelog%'
                    UNION ALL
                    SELECT format('relation %s %s (%s) -- %s', c.relkind, c.relname, array_to_string(c.reloptions, ', '),
                                  obj_description(c.oid, 'pg_class'))
                      FROM pg_class c
                     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'S')
                       AND c.relname NOT LIKE 'databasechangelog%'
                    UNION ALL
                    SELECT format('constraint %s.%s: %s', r.relname, k.conname, pg_get_constraintdef(k.oid))
                      FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid
                     WHERE k.connamespace = 'public'::regnamespace AND r.relname NOT LIKE 'databasechangelog%'
                    UNION ALL
                    SELECT 'index ' || pg_get_indexdef(i.indexrelid)
                      FROM pg_index i JOIN pg_class r ON r.oid = i.indrelid
                     WHERE r.relnamespace = 'public'::regnamespace AND r.relname NOT LIKE 'databasechangelog%'
                    UNION ALL
                    SELECT format('function %s -- %s%s%s', p.oid::regprocedure, obj_description(p.oid, 'pg_proc'),
                                  E'\\n', pg_get_functiondef(p.oid))
                      FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
                    UNION ALL
                    SELECT format('view %s: %s', c.relname, pg_get_viewdef(c.oid))
                      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'
                    UNION ALL
                    SELECT format('trigger %s -- %s', pg_get_triggerdef(t.oid), obj_description(t.oid, 'pg_trigger'))
                      FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid
                     WHERE NOT t.tgisinternal AND r.relnamespace = 'public'::regnamespace
                ) schema
                 ORDER BY line""").getValues(0, String.class);
    }
}
