package dev.changesetsyncer.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.changesetsyncer.catalog.CatalogStore;
import dev.changesetsyncer.catalog.CodeHost;
import dev.changesetsyncer.catalog.CodeHostKind;
import dev.changesetsyncer.catalog.Repo;
import dev.changesetsyncer.catalog.ScheduleSettings;
import dev.changesetsyncer.codehost.CodeHostClient;
import dev.changesetsyncer.codehost.RepoSyncResult;
import dev.changesetsyncer.codehost.RepoTarget;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.http.HttpSettings;
import dev.changesetsyncer.service.HttpService;
import dev.changesetsyncer.simulation.SimulatedCodeHost;
import dev.changesetsyncer.simulation.SimulationSettings;
import dev.changesetsyncer.testing.PostgresExtension;
import dev.changesetsyncer.testing.Replicas;
import dev.changesetsyncer.testing.TestDatabase;
import dev.changesetsyncer.webhooks.WebhookSecrets;
import dev.changesetsyncer.worker.WorkerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin page in a real browser (Debian's headless Chromium, through chromium-driver) against a
 * real replica — claim loop, HTTP server, simulated code host — on a real Postgres: log in, the
 * overview, a filtered schedule, Sync now until its request is served, a hostile title shown as
 * text, and a form without its CSRF token refused. Screenshots go to target/screenshots, or to the
 * directory in -Dadmin.screenshots (docs/ for the README's).
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminPageInABrowserTest {
    static final String USER = "operator";
    static final String PASSWORD = "correct horse battery staple";
    static final String XSS_TITLE = "<script>alert(1)</script>";
    static final String XSS_AUTHOR = "\"><img src=x onerror=alert(2)>";
    static final Duration PATIENCE = Duration.ofSeconds(60);

    final TestDatabase database;
    Replicas replicas;
    HttpService http;
    ChromeDriver browser;
    CodeHost github;
    Repo api;
    List<Long> changesets;
    long hostile;
    long failing;
    String base;

    AdminPageInABrowserTest(TestDatabase database) {
        this.database = database;
    }

    /** The simulated host, but one pull request's title, author and branch are hostile. */
    record HostileHost(SimulatedCodeHost simulator, String hostileExternalId) implements CodeHostClient {
        @Override
        public SyncResult fetch(SyncTarget target) throws InterruptedException {
            SyncResult result = simulator.fetch(target);
            if (target.externalId().equals(hostileExternalId) && result instanceof SyncResult.Fetched fetched) {
                var s = fetched.snapshot();
                return fetched.withSnapshot(new dev.changesetsyncer.codehost.ChangesetSnapshot(s.state(), XSS_TITLE,
                        XSS_AUTHOR, s.url(), "feature/<b>bold</b>", s.baseRef(), s.headSha(), s.reviewState(),
                        s.checkState(), s.updatedAt(), s.repoArchived()));
            }
            return result;
        }

        @Override
        public RepoSyncResult syncRepository(RepoTarget target) throws InterruptedException {
            return simulator.syncRepository(target);
        }
    }

    @BeforeAll
    void aReplicaWithItsServerAndABrowser(@TempDir Path profile) {
        Chromium.requireInstalled();
        CatalogStore store = new CatalogStore(database.dsl());
        github = store.createCodeHost("github.example.com", CodeHostKind.SIMULATED, "https://github.example.com",
                ScheduleSettings.DEFAULTS);
        CodeHost gitlab = store.createCodeHost("gitlab.example.com", CodeHostKind.SIMULATED, "https://gitlab.example.com",
                ScheduleSettings.DEFAULTS);
        api = store.createRepo(github.id(), "r-api", "acme/api");
        Repo web = store.createRepo(github.id(), "r-web", "acme/web");
        Repo infra = store.createRepo(gitlab.id(), "r-infra", "platform/infra");
        changesets = store.createChangesets(api.id(), List.of("101", "102", "103", "104", "1337"));
        store.createChangesets(web.id(), List.of("7", "8", "9"));
        store.createChangesets(infra.id(), List.of("55", "56"));
        hostile = changesets.getLast();
        failing = changesets.get(2);
        SimulatedCodeHost simulator = new SimulatedCodeHost(SimulationSettings.DEFAULT.withLatency(Duration.ofMillis(5)));
        simulator.script(failing, SimulatedCodeHost.Scripted.FAIL);
        simulator.script(changesets.get(3), SimulatedCodeHost.Scripted.GONE);
        database.execute("SELECT pause_code_host('gitlab.example.com', now() + interval '2 hours', 'their maintenance')");

        replicas = new Replicas(database);
        replicas.start(WorkerSettings.defaults("browser-replica").withPollInterval(Duration.ofMillis(200)),
                new HostileHost(simulator, "1337"));
        http = HttpService.start("browser-replica", HttpSettings.onPort(0), database.url(), WebhookSecrets.of(Map.of()),
                AdminCredentials.of(null, USER, PASSWORD));
        base = "http://127.0.0.1:" + http.port();
        await().atMost(PATIENCE).until(() -> database.value(Long.class, "SELECT count(*) FROM changeset_sync_state "
                + "WHERE code_host_id = " + github.id() + " AND last_attempt_at IS NULL") == 0);
        browser = Chromium.start(profile);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (http != null) {
            http.close();
        }
        if (replicas != null) {
            replicas.close();
        }
    }

    @Test
    @Order(1)
    void anOperatorLogsInAndSeesEveryCodeHost() throws IOException {
        browser.get(base + "/");
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/admin/login");
        browser.findElement(By.id("user")).sendKeys(USER);
        browser.findElement(By.id("password")).sendKeys("not the password");
        submit(browser.findElement(By.cssSelector("button[type=submit]")));
        assertThat(browser.findElement(By.id("login-error")).getText()).contains("Wrong user name or password");

        logIn();

        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/admin");
        String hosts = browser.findElement(By.id("hosts")).getText();
        assertThat(hosts).contains("github.example.com", "gitlab.example.com", "paused until", "their maintenance");
        assertThat(browser.findElement(By.tagName("header")).getText()).containsSubsequence("logged in as", USER);
        screenshot("admin-overview.png");
    }

    @Test
    @Order(2)
    void theScheduleIsFilteredByHostAndFailures() {
        logIn();
        browser.get(base + "/admin/schedule");
        assertThat(rows()).hasSize(10);

        new Select(browser.findElement(By.name("host"))).selectByVisibleText("github.example.com");
        browser.findElement(By.name("failing")).click();
        submit(browser.findElement(By.cssSelector("#filters button[type=submit]")));

        assertThat(browser.getCurrentUrl()).contains("host=github.example.com", "failing=on");
        List<WebElement> rows = rows();
        assertThat(rows).singleElement().satisfies(row -> assertThat(row.getText())
                .contains(String.valueOf(failing), "acme/api", "failing: retry"));

        browser.get(base + "/admin/schedule?repo=acme/web");
        assertThat(rows()).hasSize(3).allSatisfy(row -> assertThat(row.getText()).contains("acme/web"));
        browser.get(base + "/admin/schedule?gone=on");
        assertThat(rows()).singleElement().satisfies(row -> assertThat(row.getText()).contains("never (gone)"));
    }

    @Test
    @Order(3)
    void syncNowIsServedByTheReplicaAndShownOnTheChangesetPage() throws IOException {
        logIn();
        long changeset = changesets.getFirst();
        browser.get(base + "/admin/changesets/" + changeset);
        submit(browser.findElement(By.id("sync-now")));

        assertThat(browser.findElement(By.id("outcome")).getText())
                .contains("requested a sync of changeset " + changeset + " as " + USER);
        new WebDriverWait(browser, PATIENCE, Duration.ofMillis(250)).until(driver -> {
            driver.navigate().refresh();
            return driver.findElements(By.cssSelector("#requests tr.served")).stream()
                    .anyMatch(row -> row.getText().contains(USER) && row.getText().contains("sync now (admin page)"));
        });
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE served_at IS NOT NULL "
                + "AND requested_by = '" + USER + "' AND changeset_id = " + changeset)).isEqualTo(1);
        assertThat(browser.findElement(By.id("last-synced")).getText()).isNotEqualTo("–");
        screenshot("admin-changeset.png");
    }

    @Test
    @Order(4)
    void aHostileTitleIsShownAsText() {
        logIn();
        browser.get(base + "/admin/changesets/" + hostile);

        assertThat(browser.findElement(By.id("title")).getText()).isEqualTo(XSS_TITLE);
        assertThat(browser.findElement(By.id("mirrored")).getText()).contains(XSS_AUTHOR, "feature/<b>bold</b>");
        assertThat(browser.findElements(By.tagName("script"))).isEmpty();
        assertThat(browser.findElements(By.tagName("img"))).isEmpty();
        assertThat(browser.findElements(By.tagName("b"))).isEmpty();
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
        browser.get(base + "/admin/schedule?repo=acme/api");
        assertThat(browser.findElement(By.id("schedule")).getText()).contains(XSS_TITLE);
        assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);

    }

    @Test
    @Order(5)
    void aFormWithoutItsCsrfTokenIsRefused() {
        logIn();
        long changeset = changesets.get(1);
        long before = database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE changeset_id = " + changeset);
        browser.get(base + "/admin/changesets/" + changeset);
        browser.executeScript("document.querySelectorAll('input[name=csrf]').forEach(input => input.remove())");
        submit(browser.findElement(By.id("sync-now")));

        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Refused");
        assertThat(browser.findElement(By.id("problem")).getText()).contains("lacks a valid CSRF token");
        assertThat(database.value(Long.class, "SELECT count(*) FROM sync_requests WHERE changeset_id = " + changeset))
                .isEqualTo(before);
    }

    private void logIn() {
        browser.get(base + "/admin");
        if (!browser.getCurrentUrl().endsWith("/admin/login")) {
            return;
        }
        browser.findElement(By.id("user")).clear();
        browser.findElement(By.id("user")).sendKeys(USER);
        browser.findElement(By.id("password")).sendKeys(PASSWORD);
        submit(browser.findElement(By.cssSelector("button[type=submit]")));
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/admin");
    }

    /** Clicks a form's button and waits for the page it leads to (never for a fixed time). */
    private void submit(WebElement button) {
        // A mark on the old page's window: a new document has none. (Asking the old element whether it is
        // stale can fail mid-navigation with an inspector error instead of a StaleElementReferenceException.)
        browser.executeScript("window.syncerOldPage = true");
        button.click();
        new WebDriverWait(browser, PATIENCE).ignoring(WebDriverException.class).until(driver -> {
            JavascriptExecutor page = (JavascriptExecutor) driver;
            return !Boolean.TRUE.equals(page.executeScript("return window.syncerOldPage === true"))
                    && "complete".equals(page.executeScript("return document.readyState"));
        });
    }

    private List<WebElement> rows() {
        return browser.findElements(By.cssSelector("#schedule tr")).stream()
                .filter(row -> row.findElements(By.tagName("td")).size() > 0).toList();
    }

    private void screenshot(String name) throws IOException {
        Path directory = Path.of(System.getProperty("admin.screenshots", "target/screenshots"));
        Files.createDirectories(directory);
        Files.write(directory.resolve(name), browser.getScreenshotAs(OutputType.BYTES));
    }
}
