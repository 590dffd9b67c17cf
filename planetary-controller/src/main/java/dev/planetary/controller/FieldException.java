package dev.planetary.controller;

/** An operator's object has a bad field (the API answers 400 naming it, VL.md §13.3); nothing was changed. */
public final class FieldException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public FieldException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
