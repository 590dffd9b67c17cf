package dev.planetary.controller;

import dev.planetary.identity.Address;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The controller's durable state (VL.md §14.2). Two implementations: {@link JdbcControllerStore}
 * on SQLite (embedded default) and on PostgreSQL; both pass the same contract test. Failures are
 * {@link StoreException}s. Implementations are thread-safe; {@link #transaction} makes a group of
 * calls atomic (the engine uses one per request or operator change).
 */
public interface ControllerStore extends AutoCloseable {
    /** Runs {@code work} in one transaction: all its writes or none (an exception rolls back). Nested calls join the outer one. */
    <T> T transaction(Supplier<T> work);

    List<Long> networkIds();

    Optional<Network> network(long nwid);

    void putNetwork(Network n);

    /** Deletes the network with its members, tokens and revocation state. */
    void deleteNetwork(long nwid);

    Optional<Member> member(long nwid, Address address);

    /** Members ordered by address. */
    List<Member> members(long nwid);

    void putMember(Member m);

    void deleteMember(long nwid, Address address);

    int unauthorizedCount(long nwid);

    /** The unauthorised row created first (ties: lowest address). */
    Optional<Member> oldestUnauthorized(long nwid);

    /** Deletes unauthorised rows whose last request (or creation, if none) is before {@code before}; returns how many. */
    int deleteUnauthorizedBefore(long before);

    List<JoinToken> tokens(long nwid);

    void putToken(JoinToken t);

    boolean deleteToken(long nwid, String id);

    Optional<Revocations> revocations(long nwid);

    void putRevocations(Revocations r);

    /** The persisted issuance-clock ceiling (0 when none): every issued ts so far is ≤ it. */
    long clockCeiling();

    void putClockCeiling(long ceiling);

    @Override
    void close();

    /** A storage failure (I/O, database); the operation did not happen. */
    final class StoreException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
