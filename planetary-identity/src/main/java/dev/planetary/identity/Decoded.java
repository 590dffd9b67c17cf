package dev.planetary.identity;

import java.util.Objects;
import java.util.function.Function;

/**
 * The result of decoding or verifying untrusted bytes or text: {@link Ok} with the value or
 * {@link Invalid} with a {@link Rejection} and a short detail (safe to print: it never echoes input).
 */
public sealed interface Decoded<T> {
    record Ok<T>(T value) implements Decoded<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    record Invalid<T>(Rejection reason, String detail) implements Decoded<T> {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        @SuppressWarnings("unchecked")
        public <U> Invalid<U> cast() {
            return (Invalid<U>) this;
        }
    }

    static <T> Decoded<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Decoded<T> invalid(Rejection reason, String detail) {
        return new Invalid<>(reason, detail);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The value; {@link IllegalStateException} naming the rejection if invalid. */
    default T orThrow() {
        return switch (this) {
            case Ok<T> ok -> ok.value();
            case Invalid<T> inv -> throw new IllegalStateException(inv.reason() + ": " + inv.detail());
        };
    }

    /** The value or null. */
    default T orNull() {
        return this instanceof Ok<T> ok ? ok.value() : null;
    }

    default <U> Decoded<U> map(Function<T, U> f) {
        return switch (this) {
            case Ok<T> ok -> new Ok<>(f.apply(ok.value()));
            case Invalid<T> inv -> inv.cast();
        };
    }

    default <U> Decoded<U> flatMap(Function<T, Decoded<U>> f) {
        return switch (this) {
            case Ok<T> ok -> f.apply(ok.value());
            case Invalid<T> inv -> inv.cast();
        };
    }
}
