package dev.changesetsyncer.simhost;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The GitHub endpoints the simulated host serves, parsed from a request path. */
sealed interface Route {
    String endpoint();

    record Repo(String owner, String name) implements Route {
        public String endpoint() {
            return "repository";
        }
    }

    record PullList(String owner, String name) implements Route {
        public String endpoint() {
            return "pulls";
        }
    }

    record Pull(String owner, String name, int number) implements Route {
        public String endpoint() {
            return "pull";
        }
    }

    record Reviews(String owner, String name, int number) implements Route {
        public String endpoint() {
            return "reviews";
        }
    }

    record CheckRuns(String owner, String name, String sha) implements Route {
        public String endpoint() {
            return "check_runs";
        }
    }

    record CombinedStatus(String owner, String name, String sha) implements Route {
        public String endpoint() {
            return "status";
        }
    }

    record Unknown(String path) implements Route {
        public String endpoint() {
            return "unknown";
        }
    }

    Pattern REPO = Pattern.compile("/repos/([^/]+)/([^/]+)");
    Pattern PULLS = Pattern.compile("/repos/([^/]+)/([^/]+)/pulls");
    Pattern PULL = Pattern.compile("/repos/([^/]+)/([^/]+)/pulls/(\\d{1,9})");
    Pattern REVIEWS = Pattern.compile("/repos/([^/]+)/([^/]+)/pulls/(\\d{1,9})/reviews");
    Pattern CHECK_RUNS = Pattern.compile("/repos/([^/]+)/([^/]+)/commits/([0-9a-f]{40})/check-runs");
    Pattern STATUS = Pattern.compile("/repos/([^/]+)/([^/]+)/commits/([0-9a-f]{40})/status");

    static Route parse(String path) {
        Matcher m;
        if ((m = PULL.matcher(path)).matches()) {
            return new Pull(m.group(1), m.group(2), Integer.parseInt(m.group(3)));
        }
        if ((m = REVIEWS.matcher(path)).matches()) {
            return new Reviews(m.group(1), m.group(2), Integer.parseInt(m.group(3)));
        }
        if ((m = CHECK_RUNS.matcher(path)).matches()) {
            return new CheckRuns(m.group(1), m.group(2), m.group(3));
        }
        if ((m = STATUS.matcher(path)).matches()) {
            return new CombinedStatus(m.group(1), m.group(2), m.group(3));
        }
        if ((m = PULLS.matcher(path)).matches()) {
            return new PullList(m.group(1), m.group(2));
        }
        if ((m = REPO.matcher(path)).matches()) {
            return new Repo(m.group(1), m.group(2));
        }
        return new Unknown(path);
    }
}
