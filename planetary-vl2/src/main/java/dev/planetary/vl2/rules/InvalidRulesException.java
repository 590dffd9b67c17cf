package dev.planetary.vl2.rules;

/** A rule list that version 1 cannot evaluate (VL.md §11.2, §11.7): the message names the list, the entry index and the reason. */
public final class InvalidRulesException extends IllegalArgumentException {
    public InvalidRulesException(String message) {
        super(message);
    }
}
