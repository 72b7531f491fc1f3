package dev.changesetsyncer.freshness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The population is drawn from the seed alone, in the documented proportions, and its changes hang together. */
class PopulationGeneratorTest {
    record Changeset(long id, ChangesetClass type, boolean hasCi, double phase, double updatedAt) {}

    record Change(long changesetId, double at, ChangeKind kind, double webhookDraw, double checksPendingUntil) {}

    static final class Recorder implements PopulationGenerator.Sink {
        final List<Changeset> changesets = new ArrayList<>();
        final List<Change> changes = new ArrayList<>();

        @Override
        public void changeset(long id, ChangesetClass type, boolean hasCi, double phase, double updatedAt) {
            changesets.add(new Changeset(id, type, hasCi, phase, updatedAt));
        }

        @Override
        public void change(long changesetId, double at, ChangeKind kind, double webhookDraw, double checksPendingUntil) {
            changes.add(new Change(changesetId, at, kind, webhookDraw, checksPendingUntil));
        }
    }

    static Recorder generate(long changesets, int days, long seed) {
        Recorder recorder = new Recorder();
        new PopulationGenerator(Population.DEFAULTS, days).generate(changesets, seed, recorder);
        return recorder;
    }

    @Test
    void theSameSeedDrawsTheSameHistoryAndAnotherSeedAnotherOne() {
        assertThat(generate(500, 3, 7).changes).isEqualTo(generate(500, 3, 7).changes);
        assertThat(generate(500, 3, 8).changes).isNotEqualTo(generate(500, 3, 7).changes);
    }

    @Test
    void classesComeInTheDocumentedShares() {
        Recorder population = generate(50_000, 1, 1);

        Map<ChangesetClass, Integer> counts = new EnumMap<>(ChangesetClass.class);
        population.changesets.forEach(c -> counts.merge(c.type(), 1, Integer::sum));

        assertThat(counts.get(ChangesetClass.ACTIVE) / 50_000.0).isCloseTo(Population.DEFAULTS.activeShare(), within(0.005));
        assertThat(counts.get(ChangesetClass.OPEN_IDLE) / 50_000.0)
                .isCloseTo(Population.DEFAULTS.openIdleShare(), within(0.005));
        assertThat(population.changesets).allSatisfy(c -> {
            assertThat(c.updatedAt()).as("last changed before the start").isLessThanOrEqualTo(0);
            assertThat(c.phase()).isBetween(0.0, 1.0);
        });
    }

    @Test
    void changesFallWithinTheRunInTimeOrderPerChangeset() {
        Recorder population = generate(5_000, 2, 3);

        assertThat(population.changes).allSatisfy(c -> assertThat(c.at()).isBetween(0.0, 2 * 86_400.0));
        for (int i = 1; i < population.changes.size(); i++) {
            Change before = population.changes.get(i - 1);
            Change change = population.changes.get(i);
            if (before.changesetId() == change.changesetId()) {
                assertThat(change.at()).isGreaterThanOrEqualTo(before.at());
            }
        }
    }

    @Test
    void checksRunUntilTheirLastRunCompletesOrTheNextPush() {
        Recorder population = generate(5_000, 2, 5);
        Map<Long, List<Change>> byChangeset = new HashMap<>();
        population.changes.forEach(c -> byChangeset.computeIfAbsent(c.changesetId(), id -> new ArrayList<>()).add(c));

        int pushesWithChecks = 0;
        for (List<Change> changes : byChangeset.values()) {
            for (int i = 0; i < changes.size(); i++) {
                Change push = changes.get(i);
                if (push.kind() != ChangeKind.PUSH || Double.isNaN(push.checksPendingUntil())) {
                    continue;
                }
                pushesWithChecks++;
                double nextPush = changes.stream().skip(i + 1).filter(c -> c.kind() == ChangeKind.PUSH)
                        .mapToDouble(Change::at).findFirst().orElse(Double.POSITIVE_INFINITY);
                assertThat(push.checksPendingUntil()).isGreaterThan(push.at()).isLessThanOrEqualTo(nextPush);
                // the check runs of this head, and no later ones, complete while its checks are pending
                assertThat(changes.stream().skip(i + 1).filter(c -> c.kind() == ChangeKind.CHECK && c.at() < nextPush))
                        .allSatisfy(check -> assertThat(check.at()).isLessThanOrEqualTo(push.checksPendingUntil()));
            }
        }
        assertThat(pushesWithChecks).isGreaterThan(100);
    }

    @Test
    void activeChangesetsChangeFarMoreThanFinishedOnes() {
        Recorder population = generate(20_000, 7, 11);
        Map<Long, ChangesetClass> types = new HashMap<>();
        population.changesets.forEach(c -> types.put(c.id(), c.type()));
        Map<ChangesetClass, Integer> changes = new EnumMap<>(ChangesetClass.class);
        population.changes.forEach(c -> changes.merge(types.get(c.changesetId()), 1, Integer::sum));
        Map<ChangesetClass, Integer> counts = new EnumMap<>(ChangesetClass.class);
        population.changesets.forEach(c -> counts.merge(c.type(), 1, Integer::sum));

        double activePerDay = changes.get(ChangesetClass.ACTIVE) / (double) counts.get(ChangesetClass.ACTIVE) / 7;
        double finishedPerDay = changes.get(ChangesetClass.FINISHED) / (double) counts.get(ChangesetClass.FINISHED) / 7;
        assertThat(finishedPerDay).isCloseTo(Population.DEFAULTS.finishedChangesPerDay(), within(0.005));
        assertThat(activePerDay).isGreaterThan(100 * finishedPerDay);
    }
}
