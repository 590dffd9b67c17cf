package dev.planetary.zssp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The open-addressing key-id table against a {@link HashMap} model, and its lock-free reads under writes. */
class KeyIdTableTest {

    /** An owner that knows its kid, so a reader can tell whether it was handed another kid's owner. */
    record Owner(int kid, int generation) {}

    @Test
    void behavesLikeAMapUnderRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            KeyIdTable table = new KeyIdTable();
            Map<Integer, Object> model = new HashMap<>();
            // a small kid space (plus 0 and the extremes) so that claims collide, kids come back and tombstones pile up
            int space = 64 + rnd.nextInt(4000);
            for (int step = 0; step < 20_000; step++) {
                int kid = switch (rnd.nextInt(20)) {
                    case 0 -> 0;
                    case 1 -> Integer.MIN_VALUE;
                    case 2 -> -1;
                    default -> rnd.nextInt(space) * 0x10001;
                };
                Object cur = model.get(kid);
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        Owner o = new Owner(kid, step);
                        boolean claimed = table.claim(kid, o);
                        assertEquals(kid != 0 && cur == null, claimed, "claim " + kid);
                        if (claimed) model.put(kid, o);
                    }
                    case 1 -> {
                        Object who = rnd.nextBoolean() || cur == null ? new Owner(kid, -1) : cur;
                        boolean released = table.release(kid, who);
                        assertEquals(cur != null && cur == who, released, "release " + kid);
                        if (released) model.remove(kid);
                    }
                    case 2 -> {
                        Owner next = new Owner(kid, step);
                        if (cur != null && kid != 0) {
                            table.replace(kid, cur, next);
                            model.put(kid, next);
                        } else {
                            assertThrows(IllegalStateException.class, () -> table.replace(kid, new Owner(kid, -2), next));
                        }
                    }
                    default -> assertSame(cur, table.get(kid), "get " + kid);
                }
                assertEquals(model.size(), table.size());
            }
            for (Map.Entry<Integer, Object> e : model.entrySet()) assertSame(e.getValue(), table.get(e.getKey()));
        }
    }

    @Test
    void growsWithTheKidsAndShrinksWhenTheyGo() {
        KeyIdTable table = new KeyIdTable();
        int initial = table.capacity();
        List<Owner> owners = new ArrayList<>();
        for (int i = 1; i <= 100_000; i++) {
            Owner o = new Owner(i * 7919, i);
            assertTrue(table.claim(o.kid(), o));
            owners.add(o);
        }
        assertTrue(table.capacity() >= 100_000 * 4 / 3 && table.capacity() <= 4 * 100_000, "capacity " + table.capacity());
        for (Owner o : owners) assertSame(o, table.get(o.kid()));
        for (Owner o : owners) assertTrue(table.release(o.kid(), o));
        assertEquals(0, table.size());
        assertEquals(initial, table.capacity(), "an emptied table gives its arrays back");
        for (Owner o : owners) assertNull(table.get(o.kid()));
    }

    @Test
    void churnOfNewKidsDoesNotFillTheTableWithTombstones() {
        KeyIdTable table = new KeyIdTable();
        RandomSource rng = new SimRandom(3);
        List<Integer> live = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) { // 100 live kids, 200,000 handed out and given back
            Owner o = new Owner(0, i);
            live.add(table.allocate(o, rng));
            if (live.size() > 100) {
                int kid = live.remove(0);
                assertTrue(table.release(kid, table.get(kid)));
            }
        }
        assertEquals(100, table.size());
        assertTrue(table.capacity() <= 1024, "capacity " + table.capacity());
    }

    @Test
    void readersNeverSeeAnotherKidsOwnerWhileWritersChurn() throws Exception {
        KeyIdTable table = new KeyIdTable();
        int kids = 3000;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<String> wrong = new AtomicReference<>();
        // The one stable kid must be found throughout: rebuilds and tombstones never hide a live kid.
        Owner stable = new Owner(0x7fff_fff1, 0);
        assertTrue(table.claim(stable.kid(), stable));
        Thread reader = new Thread(() -> {
            SplittableRandom rnd = new SplittableRandom(9);
            while (!stop.get()) {
                int kid = 1 + rnd.nextInt(kids);
                if (table.get(kid) instanceof Owner o && o.kid() != kid) wrong.compareAndSet(null, "kid " + kid + " gave " + o);
                if (table.get(stable.kid()) != stable) wrong.compareAndSet(null, "the stable kid was not found");
            }
        });
        reader.start();
        try {
            SplittableRandom rnd = new SplittableRandom(5);
            for (int round = 0; round < 40; round++) {
                for (int kid = 1; kid <= kids; kid++) table.claim(kid, new Owner(kid, round));
                for (int kid = 1; kid <= kids; kid++) {
                    Object o = table.get(kid);
                    if (rnd.nextInt(3) == 0) table.replace(kid, o, new Owner(kid, -round));
                    else table.release(kid, o);
                }
                for (int kid = 1; kid <= kids; kid++) table.release(kid, table.get(kid));
            }
        } finally {
            stop.set(true);
            reader.join();
        }
        assertNull(wrong.get(), wrong.get());
        assertEquals(1, table.size());
    }

    @Test
    void kidZeroIsNeverRegistered() {
        KeyIdTable table = new KeyIdTable();
        assertFalse(table.claim(0, new Owner(0, 0)));
        assertNull(table.get(0));
        assertFalse(table.release(0, new Owner(0, 0)));
        assertThrows(NullPointerException.class, () -> table.claim(5, null));
        assertEquals(0, table.size());
    }
}
