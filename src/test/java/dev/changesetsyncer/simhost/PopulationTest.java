package dev.changesetsyncer.simhost;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The population and its history follow from the seed alone. */
class PopulationTest {
    static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void theSameSeedGivesTheSameHistory() {
        HostSettings settings = HostSettings.defaults().withPopulation(3, 50).withRates(0.5, 0.05, 0);
        Population a = new Population(settings, START);
        Population b = new Population(settings, START);
        for (int n = 1; n <= 120; n++) {
            a.tick(n, START.plusSeconds(n));
            b.tick(n, START.plusSeconds(n));
        }

        assertThat(a.changes()).isPositive().isEqualTo(b.changes());
        assertThat(a.deletions()).isPositive().isEqualTo(b.deletions());
        for (Repository repo : a.repos()) {
            Repository same = b.repo(repo.owner(), repo.name()).orElseThrow();
            assertThat(a.pullsOf(repo)).isEqualTo(b.pullsOf(same));
        }
    }

    @Test
    void aChangeBumpsTheVersionAndUpdatedAtAndAPushStartsNewChecks() {
        HostSettings settings = HostSettings.defaults().withPopulation(1, 200).withRates(1, 0, 0);
        Population population = new Population(settings, START);
        Repository repo = population.repos().getFirst();
        List<PullRequest> before = population.pullsOf(repo);

        population.tick(1, START.plusSeconds(1));

        List<PullRequest> after = population.pullsOf(repo);
        List<Integer> changed = IntStream.range(0, before.size())
                .filter(i -> after.get(i).version() > before.get(i).version()).boxed().toList();
        assertThat(changed).as("a 100 %% change rate per minute changes about 1/60 of them each second").isNotEmpty();
        for (int i : changed) {
            assertThat(after.get(i).updatedAt()).isEqualTo(START.plusSeconds(1));
        }
        PullRequest pushed = after.stream().filter(p -> p.headPushedAt().equals(START.plusSeconds(1))).findFirst()
                .orElseGet(() -> {
                    for (int n = 2; n < 100; n++) {
                        population.tick(n, START.plusSeconds(n));
                    }
                    return population.pullsOf(repo).stream().filter(p -> p.headPushedAt().isAfter(START)).findFirst().orElseThrow();
                });
        assertThat(pushed.checks(pushed.headPushedAt(), settings.checksTake()).completed()).isFalse();
        assertThat(pushed.checks(pushed.headPushedAt().plus(settings.checksTake()), settings.checksTake()).completed()).isTrue();
        assertThat(population.pullWithCommit(repo, pushed.headSha())).contains(population.pull(repo, pushed.number()).orElseThrow());
    }
}
