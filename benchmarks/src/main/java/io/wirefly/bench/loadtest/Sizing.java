package io.wirefly.bench.loadtest;

/**
 * How big and how long each load scenario runs: the full sizes of the published numbers, or the quick sizes that
 * only prove every scenario still runs.
 *
 * @param warmupMillis echo scenarios: time before measuring (JIT, connection pools)
 * @param measureMillis echo scenarios: measured time
 * @param maxLatencySamples the latency scenario keeps at most this many round trips
 * @param echoConnections connections of the echo scenario
 * @param echoPayload message size of the echo scenario
 * @param latencyPayload message size of the latency scenario
 * @param bulkConnections connections of the bulk scenario
 * @param bulkPayload message size of the bulk scenario
 * @param idleConnections connections held open by the idle scenario
 * @param broadcastSubscribers connections subscribed to the broadcast path
 * @param broadcastPayload size of the broadcast message
 * @param broadcastWarmupRounds broadcasts before measuring
 * @param broadcastRounds measured broadcasts
 * @param repetitions how many times each (scenario, server) pair runs, each in a fresh server JVM
 */
record Sizing(long warmupMillis, long measureMillis, int maxLatencySamples, int echoConnections, int echoPayload,
        int latencyPayload, int bulkConnections, int bulkPayload, int idleConnections, int broadcastSubscribers,
        int broadcastPayload, int broadcastWarmupRounds, int broadcastRounds, int repetitions) {

    /** @return the published configuration: the sizes, 5 s warm-up, 10 s measured, 3 repetitions */
    static Sizing full() {
        return new Sizing(5_000, 10_000, 4_000_000, 100, 125, 16, 10, 64 * 1024, 10_000, 10_000, 125, 5, 30, 3);
    }

    /** @return every scenario scaled down to about a second, once: proves it runs, measures nothing */
    static Sizing quick() {
        return new Sizing(300, 700, 100_000, 10, 125, 16, 2, 64 * 1024, 200, 50, 125, 1, 3, 1);
    }

    /**
     * @param count idle connections to hold
     * @return this sizing with another idle connection count
     */
    Sizing withIdleConnections(int count) {
        return new Sizing(warmupMillis, measureMillis, maxLatencySamples, echoConnections, echoPayload,
                latencyPayload, bulkConnections, bulkPayload, count, broadcastSubscribers, broadcastPayload,
                broadcastWarmupRounds, broadcastRounds, repetitions);
    }

    /**
     * @param count repetitions
     * @return this sizing with another repetition count
     */
    Sizing withRepetitions(int count) {
        return new Sizing(warmupMillis, measureMillis, maxLatencySamples, echoConnections, echoPayload,
                latencyPayload, bulkConnections, bulkPayload, idleConnections, broadcastSubscribers,
                broadcastPayload, broadcastWarmupRounds, broadcastRounds, count);
    }
}
