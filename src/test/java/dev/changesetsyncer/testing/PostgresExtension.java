package dev.changesetsyncer.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each test class its own freshly migrated database (a clone of the template), injected as a
 * {@link TestDatabase} parameter. The database is dropped after the class, unless a test failed
 * outside CI: then it is kept for inspection and its name is logged.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver, TestWatcher {
    private static final Logger log = LoggerFactory.getLogger(PostgresExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PostgresExtension.class);
    private static final String DATABASE = "database";
    private static final String FAILED = "failed";

    @Override
    public void beforeAll(ExtensionContext context) {
        database(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestDatabase database = context.getStore(NAMESPACE).remove(DATABASE, TestDatabase.class);
        if (database == null) {
            return;
        }
        database.close();
        boolean failed = Boolean.TRUE.equals(context.getStore(NAMESPACE).get(FAILED, Boolean.class));
        if (failed && System.getenv("CI") == null) {
            log.warn("kept database {} of failed {} for inspection: {}", database.name(),
                    context.getRequiredTestClass().getSimpleName(), database.url());
        } else {
            TestDatabases.drop(database.name());
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        context.getParent().ifPresent(parent -> parent.getStore(NAMESPACE).put(FAILED, true));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return database(classContext(context));
    }

    /** The class's database, created on first use (a PER_CLASS test instance is built before beforeAll). */
    private static TestDatabase database(ExtensionContext classContext) {
        return classContext.getStore(NAMESPACE).computeIfAbsent(DATABASE,
                key -> new TestDatabase(TestDatabases.createMigrated(classContext.getRequiredTestClass().getSimpleName())),
                TestDatabase.class);
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
            current = current.getParent().get();
        }
        return current;
    }
}
