package dev.changesetsyncer.admin;

import dev.changesetsyncer.admin.AdminActions.Outcome;
import dev.changesetsyncer.admin.AdminSessions.Session;
import dev.changesetsyncer.admin.AdminViews.AuditRow;
import dev.changesetsyncer.http.RequestBodies;
import dev.changesetsyncer.secrets.SafeText;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin page, under {@value #ROOT}: server-rendered HTML, plain forms, readable without
 * JavaScript. Every page needs a log-in (a session cookie from the log-in form, or
 * {@code Authorization: Bearer <SYNCER_ADMIN_TOKEN>}); without configured credentials every page
 * answers 403 and says how to turn it on. A POST from a session carries the session's CSRF token,
 * or is refused with 403.
 */
public final class AdminPages implements Request.Handler {
    public static final String ROOT = "/admin";
    private static final Logger log = LoggerFactory.getLogger(AdminPages.class);
    private static final Pattern CHANGESET = Pattern.compile("/admin/changesets/(\\d{1,18})");
    private static final Pattern CHANGESET_SYNC = Pattern.compile("/admin/changesets/(\\d{1,18})/sync");
    private static final Pattern REPO_SYNC = Pattern.compile("/admin/repos/(\\d{1,18})/sync");
    private static final int EVENTS_SHOWN = 20;
    private static final int REQUESTS_SHOWN = 20;
    private static final int AUDIT_SHOWN = 10;
    /** Scripts: none at all; styles: the layout's own; forms: only back here; no framing. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /** Who is acting: from a session (then POSTs need its CSRF token) or from a Bearer token. */
    private record Operator(String who, Optional<Session> session) {}

    private final AdminCredentials credentials;
    private final AdminSessions sessions;
    private final AdminQueries queries;
    private final AdminActions actions;
    private final LoginThrottle throttle;
    private final Templates templates = new Templates();

    public AdminPages(AdminCredentials credentials, DSLContext dsl) {
        this(credentials, dsl, Clock.systemUTC());
    }

    AdminPages(AdminCredentials credentials, DSLContext dsl, Clock clock) {
        this.credentials = credentials;
        this.sessions = new AdminSessions(credentials, clock);
        this.queries = new AdminQueries(dsl);
        this.actions = new AdminActions(dsl);
        this.throttle = new LoginThrottle(clock);
    }

    /** {@code GET /}: the admin page is the replica's front page. */
    public static Request.Handler redirectToAdmin() {
        return (request, response, callback) -> {
            redirect(response, callback, ROOT);
            return true;
        };
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        var headers = response.getHeaders();
        headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        if (!credentials.enabled()) {
            html(response, callback, 403, templates.render("disabled", Map.of("frame", frame("Admin page off", null, null))));
            return true;
        }
        try {
            if (isLogInAttempt(request, path)) {
                Optional<Duration> wait = throttle.waitFor(Request.getRemoteAddr(request));
                if (wait.isPresent()) {
                    tooManyLogIns(response, callback, wait.get());
                    return true;
                }
            }
            if (path.equals(ROOT + "/login")) {
                return login(request, response, callback);
            }
            Optional<Operator> operator = authenticate(request);
            if (operator.isEmpty()) {
                if (request.getMethod().equals("GET")) {
                    redirect(response, callback, ROOT + "/login");
                } else {
                    html(response, callback, 401, templates.render("login", Map.of("frame", frame("Log in", null, null),
                            "error", "Log in first.", "credentials", credentials)));
                }
                return true;
            }
            return route(operator.get(), path, request, response, callback);
        } catch (DataAccessException e) {
            log.warn("admin page {}: the database did not answer: {}", path, SafeText.of(e.getMessage()));
            html(response, callback, 503, templates.render("problem", Map.of("frame", frame("Database unavailable", null, null),
                    "message", "The database did not answer; try again in a moment.")));
            return true;
        }
    }

    private boolean route(Operator operator, String path, Request request, Response response, Callback callback)
            throws Exception {
        String method = request.getMethod();
        FormFields query;
        try {
            query = FormFields.parse(request.getHttpURI().getQuery());
        } catch (IllegalArgumentException e) {
            html(response, callback, 400, problem(operator, "Bad address", "The query string is not URL-encoded."));
            return true;
        }
        if (method.equals("GET")) {
            Matcher changeset = CHANGESET.matcher(path);
            if (path.equals(ROOT) || path.equals(ROOT + "/")) {
                overview(operator, query, response, callback);
            } else if (path.equals(ROOT + "/schedule")) {
                schedule(operator, query, response, callback);
            } else if (changeset.matches()) {
                changeset(operator, Long.parseLong(changeset.group(1)), query, response, callback);
            } else {
                return notFound(operator, path, response, callback);
            }
            return true;
        }
        if (!method.equals("POST")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
            html(response, callback, 405, problem(operator, "Method not allowed", method + " is not allowed here."));
            return true;
        }
        FormFields form;
        try {
            form = FormFields.parse(new String(RequestBodies.read(request), StandardCharsets.UTF_8));
        } catch (RequestBodies.Unreadable e) {
            html(response, callback, e.status(), problem(operator, "Unreadable form", e.getMessage()));
            return true;
        } catch (IllegalArgumentException e) {
            html(response, callback, 400, problem(operator, "Unreadable form", "The form is not URL-encoded."));
            return true;
        }
        if (operator.session().isPresent() && !sessions.csrfMatches(operator.session().get(), form.first("csrf"))) {
            log.warn("admin page: refused a POST to {} by {} without a valid CSRF token", path, SafeText.of(operator.who()));
            html(response, callback, 403, problem(operator, "Refused",
                    "This form lacks a valid CSRF token, so it may not have come from this page: reload the page and try again."));
            return true;
        }
        return act(operator, path, form, response, callback);
    }

    private boolean act(Operator operator, String path, FormFields form, Response response, Callback callback) {
        String who = operator.who();
        Matcher changeset = CHANGESET_SYNC.matcher(path);
        Matcher repo = REPO_SYNC.matcher(path);
        Outcome outcome;
        String back;
        if (path.equals(ROOT + "/logout")) {
            response.getHeaders().add(HttpHeader.SET_COOKIE, cookie("", 0, false));
            redirect(response, callback, ROOT + "/login");
            return true;
        } else if (changeset.matches()) {
            long id = Long.parseLong(changeset.group(1));
            outcome = actions.syncNow(who, id);
            back = ROOT + "/changesets/" + id;
        } else if (repo.matches()) {
            outcome = actions.syncRepository(who, Long.parseLong(repo.group(1)));
            back = safeBack(form.first("back"));
        } else if (path.equals(ROOT + "/hosts/pause")) {
            outcome = actions.pause(who, form.first("host"), form.first("duration"), form.first("reason"));
            back = ROOT;
        } else if (path.equals(ROOT + "/hosts/resume")) {
            outcome = actions.resume(who, form.first("host"));
            back = ROOT;
        } else if (path.equals(ROOT + "/hosts/rate-limit")) {
            outcome = actions.rateLimit(who, form.first("host"), form.first("requests_per_hour"));
            back = ROOT;
        } else {
            return notFound(operator, path, response, callback);
        }
        log.info("admin page: {} {}: {}", SafeText.of(who), path, SafeText.of(outcome.message()));
        // the page the action was taken from, showing its outcome (read back from the audit table)
        redirect(response, callback, back + (back.contains("?") ? "&" : "?") + "done=" + outcome.auditId());
        return true;
    }

    private void overview(Operator operator, FormFields query, Response response, Callback callback) {
        Map<String, Object> model = new HashMap<>();
        model.put("frame", frame("Overview", operator, outcome(query)));
        model.put("hosts", queries.hosts());
        model.put("audit", queries.audit(AUDIT_SHOWN));
        html(response, callback, 200, templates.render("overview", model));
    }

    private void schedule(Operator operator, FormFields query, Response response, Callback callback) {
        ScheduleFilter filter;
        try {
            filter = ScheduleFilter.of(query);
        } catch (IllegalArgumentException e) {
            html(response, callback, 400, problem(operator, "Bad filter", e.getMessage()));
            return;
        }
        Map<String, Object> model = new HashMap<>();
        model.put("frame", frame("Schedule", operator, outcome(query)));
        model.put("filter", filter);
        model.put("hosts", queries.hosts());
        model.put("page", queries.schedule(filter));
        html(response, callback, 200, templates.render("schedule", model));
    }

    private void changeset(Operator operator, long id, FormFields query, Response response, Callback callback) {
        var detail = queries.changeset(id);
        if (detail.isEmpty()) {
            html(response, callback, 404, problem(operator, "No such changeset", "There is no changeset " + id + "."));
            return;
        }
        Map<String, Object> model = new HashMap<>();
        model.put("frame", frame("Changeset " + id, operator, outcome(query)));
        model.put("changeset", detail.get());
        model.put("events", queries.events(id, EVENTS_SHOWN));
        model.put("requests", queries.requests(id, REQUESTS_SHOWN));
        html(response, callback, 200, templates.render("changeset", model));
    }

    private boolean login(Request request, Response response, Callback callback) throws Exception {
        if (request.getMethod().equals("GET")) {
            html(response, callback, 200, loginPage(null));
            return true;
        }
        if (!request.getMethod().equals("POST")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, POST");
            html(response, callback, 405, loginPage("Use the form."));
            return true;
        }
        FormFields form;
        try {
            form = FormFields.parse(new String(RequestBodies.read(request), StandardCharsets.UTF_8));
        } catch (RequestBodies.Unreadable | IllegalArgumentException e) {
            html(response, callback, 400, loginPage("The form could not be read."));
            return true;
        }
        String user = form.first("user") == null ? "" : SafeText.printable(form.first("user").strip(), false);
        String secret = form.first("password");
        String who;
        String how;
        if (credentials.passwordMatches(user, secret)) {
            who = user;
            how = "the admin password";
        } else if (credentials.tokenMatches(secret)) {
            who = user.isEmpty() ? "token" : user.length() > 100 ? user.substring(0, 100) : user;
            how = "the admin token";
        } else {
            log.warn("admin page: a log-in was refused");
            refused(request);
            html(response, callback, 401, loginPage("Wrong user name or password (or token)."));
            return true;
        }
        throttle.succeeded(Request.getRemoteAddr(request));
        Session session = sessions.open(who);
        actions.loggedIn(who, how);
        response.getHeaders().add(HttpHeader.SET_COOKIE, cookie(session.cookie(),
                AdminSessions.LIFETIME.toSeconds(), request.isSecure()));
        redirect(response, callback, ROOT);
        return true;
    }

    /** A log-in form POST or a Bearer header: what {@link LoginThrottle} counts. */
    private static boolean isLogInAttempt(Request request, String path) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        return (path.equals(ROOT + "/login") && request.getMethod().equals("POST"))
                || (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7));
    }

    private void refused(Request request) {
        String address = Request.getRemoteAddr(request);
        if (throttle.failed(address)) {
            log.warn("admin page: {} failed log-ins from {} within {} min; its log-ins are refused until then",
                    LoginThrottle.FAILURES_ALLOWED, SafeText.of(address), LoginThrottle.WINDOW.toMinutes());
        }
    }

    private void tooManyLogIns(Response response, Callback callback, Duration wait) {
        long seconds = Math.max(1, wait.toSeconds() + (wait.getNano() > 0 ? 1 : 0)); // rounded up
        response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(seconds));
        html(response, callback, 429, templates.render("problem", Map.of("frame", frame("Too many log-ins", null, null),
                "message", "Too many failed log-ins from your address: try again in " + seconds + " s.")));
    }

    private String loginPage(String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("frame", frame("Log in", null, null));
        model.put("error", error);
        model.put("credentials", credentials);
        return templates.render("login", model);
    }

    private Optional<Operator> authenticate(Request request) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            if (credentials.tokenMatches(authorization.substring(7).strip())) {
                return Optional.of(new Operator("bearer token", Optional.empty()));
            }
            refused(request);
            return Optional.empty();
        }
        for (HttpCookie cookie : Request.getCookies(request)) {
            if (cookie.getName().equals(AdminSessions.COOKIE)) {
                Optional<Session> session = sessions.read(cookie.getValue());
                if (session.isPresent()) {
                    return Optional.of(new Operator(session.get().who(), session));
                }
            }
        }
        return Optional.empty();
    }

    private Frame frame(String title, Operator operator, AuditRow outcome) {
        if (operator == null) {
            return new Frame(title, null, null, outcome);
        }
        return new Frame(title, operator.who(), operator.session().map(sessions::csrfToken).orElse(""), outcome);
    }

    private AuditRow outcome(FormFields query) {
        String done = query.first("done");
        if (done == null || !done.matches("\\d{1,18}")) {
            return null;
        }
        return queries.auditEntry(Long.parseLong(done)).orElse(null);
    }

    private String problem(Operator operator, String title, String message) {
        return templates.render("problem", Map.of("frame", frame(title, operator, null), "message", message));
    }

    private boolean notFound(Operator operator, String path, Response response, Callback callback) {
        html(response, callback, 404, problem(operator, "Not found", "Nothing at " + SafeText.of(path) + "."));
        return true;
    }

    /** Only a page of ours: never another site (an open redirect). */
    private static String safeBack(String back) {
        return back != null && back.startsWith(ROOT) && !back.startsWith("//") && !back.contains("\\")
                && back.chars().noneMatch(Character::isISOControl) ? back : ROOT;
    }

    private static String cookie(String value, long maxAgeSeconds, boolean secure) {
        return AdminSessions.COOKIE + "=" + value + "; Path=" + ROOT + "; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    private static void html(Response response, Callback callback, int status, String html) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        Content.Sink.write(response, true, html, callback);
    }

    private static void redirect(Response response, Callback callback, String location) {
        response.setStatus(303);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        Content.Sink.write(response, true, "", callback);
    }
}
