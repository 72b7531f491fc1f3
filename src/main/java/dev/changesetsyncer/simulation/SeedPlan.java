package dev.changesetsyncer.simulation;

/**
 * What {@link BulkSeeder} creates on one code host.
 *
 * @param codeHostId the host that gets the repositories
 * @param repoNamePrefix repositories are named {@code <prefix>-<n>}; unique per host
 * @param repos how many repositories
 * @param changesetsPerRepo changesets per repository, numbered 1..n
 * @param dueFraction share of changesets that are due now (the rest were synced recently and wait hours)
 */
public record SeedPlan(long codeHostId, String repoNamePrefix, int repos, int changesetsPerRepo, double dueFraction) {
    public SeedPlan {
        if (repoNamePrefix == null || repoNamePrefix.isBlank()) {
            throw new IllegalArgumentException("repoNamePrefix must not be blank");
        }
        if (repos < 1 || changesetsPerRepo < 1) {
            throw new IllegalArgumentException("repos and changesetsPerRepo must be at least 1, got "
                    + repos + " and " + changesetsPerRepo);
        }
        if (!(dueFraction >= 0 && dueFraction <= 1)) {
            throw new IllegalArgumentException("dueFraction must be within [0, 1], got " + dueFraction);
        }
    }

    public long changesets() {
        return (long) repos * changesetsPerRepo;
    }
}
