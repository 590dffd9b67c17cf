package dev.planetary.store.internal;

import dev.planetary.zssp.RatchetPair;
import dev.planetary.zssp.RatchetState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * The row layout both SQL stores share: {@code key1, fp1, chain1, key2, fp2, chain2}. A missing
 * {@code state2} is {@code chain2 IS NULL} (with {@code key2} and {@code fp2} NULL too); an empty
 * fingerprint is stored as NULL so that the partial fingerprint indexes never contain it.
 */
public final class Rows {
    private Rows() {}

    /** Binds the six state columns starting at parameter {@code i}. */
    public static void bindPair(PreparedStatement ps, int i, RatchetState s1, RatchetState s2) throws SQLException {
        ps.setBytes(i, s1.key());
        bindBytes(ps, i + 1, Pairs.fingerprintColumn(s1));
        ps.setLong(i + 2, s1.chainLength());
        if (s2 == null) {
            ps.setNull(i + 3, Types.BINARY);
            ps.setNull(i + 4, Types.BINARY);
            ps.setNull(i + 5, Types.BIGINT);
        } else {
            ps.setBytes(i + 3, s2.key());
            bindBytes(ps, i + 4, Pairs.fingerprintColumn(s2));
            ps.setLong(i + 5, s2.chainLength());
        }
    }

    public static void bindBytes(PreparedStatement ps, int i, byte[] b) throws SQLException {
        if (b == null) ps.setNull(i, Types.BINARY);
        else ps.setBytes(i, b);
    }

    /** Reads the six state columns starting at column {@code i}. */
    public static RatchetPair readPair(ResultSet rs, int i) throws SQLException {
        RatchetState s1 = Pairs.state(rs.getBytes(i), rs.getBytes(i + 1), rs.getLong(i + 2));
        long chain2 = rs.getLong(i + 5);
        RatchetState s2 = rs.wasNull() ? null : Pairs.state(rs.getBytes(i + 3), rs.getBytes(i + 4), chain2);
        return new RatchetPair(s1, s2);
    }

    /** Reads one state ({@code key, fp, chain}) starting at column {@code i}. */
    public static RatchetState readState(ResultSet rs, int i) throws SQLException {
        return Pairs.state(rs.getBytes(i), rs.getBytes(i + 1), rs.getLong(i + 2));
    }
}
