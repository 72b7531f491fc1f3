package dev.changesetsyncer.worker;

import dev.changesetsyncer.codehost.CodeHostClients;
import dev.changesetsyncer.codehost.FailureKind;
import dev.changesetsyncer.codehost.SyncResult;
import dev.changesetsyncer.codehost.SyncTarget;
import dev.changesetsyncer.codehost.http.SyncCaller;
import dev.changesetsyncer.queue.Completion;
import dev.changesetsyncer.queue.Deferral;
import dev.changesetsyncer.queue.FailedAttempt;
import dev.changesetsyncer.queue.RateLimitObservation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** One sync: fetch from the code host, hand the result to the writer (which ends the claim), free the slot. */
final class SyncTask implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SyncTask.class);

    private final String workerId;
    private final InFlight.Running entry;
    private final CodeHostClients clients;
    private final CompletionWriter writer;
    private final Runnable done;

    SyncTask(String workerId, InFlight.Running entry, CodeHostClients clients, CompletionWriter writer, Runnable done) {
        this.workerId = workerId;
        this.entry = entry;
        this.clients = clients;
        this.writer = writer;
        this.done = done;
    }

    @Override
    public void run() {
        MDC.put("worker", workerId);
        SyncTarget target = entry.claim.target();
        try {
            if (!entry.begin()) {
                return; // lost before it started
            }
            SyncResult result;
            try (SyncCaller.Scope ignored = SyncCaller.enter(workerId, entry.ref().claimToken())) {
                result = clients.forHost(target.codeHostId(), target.kind(), target.baseUrl()).fetch(target);
            }
            if (entry.lost) {
                return;
            }
            entry.writing = true;
            log.trace("changeset={} claim={} fetched: {}", target.changesetId(), entry.ref().claimToken(), result);
            if (result.rateLimit() != null) {
                writer.observed(new RateLimitObservation(target.codeHostId(), result.rateLimit()));
            }
            switch (result) {
                case SyncResult.Failed failed when failed.kind() == FailureKind.RATE_LIMITED ->
                        writer.deferred(new Deferral(entry.ref(), target.codeHostId(), failed.retryAfter(),
                                failed.rateLimit(), failed.message()));
                case SyncResult.Failed failed -> writer.failed(new FailedAttempt(entry.ref(),
                        failed.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + failed.message()));
                default -> writer.completed(new Completion(entry.ref(), result));
            }
        } catch (InterruptedException e) {
            log.debug("changeset={} claim={} sync cancelled", target.changesetId(), entry.ref().claimToken());
        } catch (RuntimeException e) {
            if (!entry.lost) {
                log.warn("changeset={} claim={} sync failed unexpectedly: {}", target.changesetId(),
                        entry.ref().claimToken(), e.toString());
                entry.writing = true;
                writer.failed(new FailedAttempt(entry.ref(), "error: " + e));
            }
        } finally {
            done.run();
            MDC.remove("worker");
        }
    }
}
