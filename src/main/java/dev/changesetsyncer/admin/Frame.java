package dev.changesetsyncer.admin;

import dev.changesetsyncer.admin.AdminViews.AuditRow;

/**
 * What every admin page shows around its content: its title, who is logged in (null on the log-in
 * and refusal pages), the CSRF token its forms carry, and the outcome of the action just taken.
 */
public record Frame(String title, String who, String csrf, AuditRow outcome) {
    public boolean outcomeRefused() {
        return outcome != null && outcome.details() != null && outcome.details().startsWith("refused");
    }
}
