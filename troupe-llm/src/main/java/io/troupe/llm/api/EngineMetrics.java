package io.troupe.llm.api;

/**
 * A snapshot of the engine's gauges and averages since start.
 *
 * @param running             sequences in the running batch
 * @param waiting             sequences queued (new or preempted)
 * @param kvUsage             fraction of KV blocks referenced by sequences, 0..1
 * @param prefixHitRate       prompt tokens served from the prefix cache / prompt tokens looked up
 * @param meanTtftMillis      mean time to first token of requests that produced one
 * @param meanTpotMillis      mean time per output token after the first, over finished requests
 * @param promptTokensPerSec  prefill tokens computed per second of engine time
 * @param outputTokensPerSec  output tokens per second of engine time
 * @param preemptions         sequences preempted so far
 * @param finished            requests finished so far
 * @param prefixQueriedTokens prompt tokens looked up in the prefix cache so far
 * @param prefixHitTokens     of those, tokens whose KV blocks were found cached (not recomputed)
 */
public record EngineMetrics(int running, int waiting, double kvUsage, double prefixHitRate,
                            double meanTtftMillis, double meanTpotMillis, double promptTokensPerSec,
                            double outputTokensPerSec, long preemptions, long finished,
                            long prefixQueriedTokens, long prefixHitTokens) {}
