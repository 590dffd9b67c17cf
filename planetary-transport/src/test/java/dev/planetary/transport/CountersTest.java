package dev.planetary.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.planetary.zssp.Fault;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CountersTest {
    @Test
    void internalErrorsIncludeTheBugsTheEngineCaughtItself() {
        Counters endpoint = new Counters(null);
        AtomicLong engine = new AtomicLong();
        endpoint.countEngineErrors(engine::get);
        endpoint.inc(Counters.Counter.INTERNAL_ERRORS); // one the receive loop caught
        engine.set(2); // two the engine caught in timer steps (Context.internalErrorCount)
        assertEquals(3, endpoint.get(Counters.Counter.INTERNAL_ERRORS));
        assertEquals(3L, endpoint.snapshot().get("internalErrors"));
        assertEquals(0, endpoint.get(Counters.Counter.HANDLER_ERRORS), "other counters are their own");
    }

    @Test
    void aSessionsCountsAddUpInItsEndpoints() {
        Counters endpoint = new Counters(null);
        Counters session = new Counters(endpoint);
        session.inc(Counters.Counter.PATH_CHANGES);
        session.drop(Fault.INVALID_PACKET);
        session.addLocal(Counters.Counter.SESSIONS_CLOSED, 1);
        assertEquals(1, endpoint.get(Counters.Counter.PATH_CHANGES));
        assertEquals(1, endpoint.drops(Fault.INVALID_PACKET));
        assertEquals(0, endpoint.get(Counters.Counter.SESSIONS_CLOSED), "addLocal stays in the session's set");
    }
}
