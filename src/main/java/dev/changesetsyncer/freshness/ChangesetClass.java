package dev.changesetsyncer.freshness;

/** The simulated changesets' classes; results are split by them. */
public enum ChangesetClass {
    FINISHED("finished"),
    OPEN_IDLE("open_idle"),
    ACTIVE("active");

    private final String label;

    ChangesetClass(String label) {
        this.label = label;
    }

    /** The name in the scratch tables and in the output. */
    public String label() {
        return label;
    }

    static ChangesetClass ofLabel(String label) {
        for (ChangesetClass value : values()) {
            if (value.label.equals(label)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown changeset class " + label);
    }
}
