package dev.planetary.daemon;

/** Builds the engine a daemon drives. */
final class Vl1Engines {
    private Vl1Engines() {}

    static Vl1Engine create(EngineContext context, Vl1Engine.Output output, long nowMs) {
        return new NodeEngine(context, output, nowMs);
    }
}
