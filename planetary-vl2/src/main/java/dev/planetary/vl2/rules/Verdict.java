package dev.planetary.vl2.rules;

/** The outcome of the decision procedure (VL.md §11.4), with what decided it (each counted by the data plane). */
public enum Verdict {
    /** The base rules returned ACCEPT. */
    ACCEPTED,
    /** The base rules returned BREAK or NOMATCH and a capability granted to the sender returned ACCEPT. */
    ACCEPTED_BY_CAPABILITY,
    /** The base rules returned DROP. */
    DROPPED,
    /** The base rules returned BREAK or NOMATCH and no capability granted to the sender accepted. */
    DROPPED_NO_CAPABILITY;

    public boolean accepted() {
        return this == ACCEPTED || this == ACCEPTED_BY_CAPABILITY;
    }
}
