package dev.changesetsyncer.webhooks;

/** What {@code record_webhook_delivery} did with a delivery. */
sealed interface StoreOutcome {
    /**
     * @param events changeset events stored
     * @param repositoriesUpdated repositories whose row changed (0 when it already said so)
     * @param wokeWorkers a changeset became due earlier, so idle workers were woken
     */
    record Stored(int events, int repositoriesUpdated, boolean wokeWorkers) implements StoreOutcome {}

    /** This delivery id was stored before: nothing written. */
    record Duplicate() implements StoreOutcome {}

    /** No changeset or repository of ours: nothing written. */
    record Unmatched() implements StoreOutcome {}
}
