/**
 * The seam between the built-in LLM engine and whoever hosts its model ranks.
 *
 * <p>The engine ({@code io.troupe.llm.engine.LlmEngine}) drives a {@link io.troupe.llm.spi.ModelExecutor}.
 * In one JVM that is {@code io.troupe.llm.parallel.SingleRankExecutor} or
 * {@code io.troupe.llm.parallel.InProcessRanks}. For a cluster, the runtime:
 * <ol>
 *   <li>starts one actor per placement-group bundle and, in it, a {@code io.troupe.llm.parallel.RankWorker}
 *       via {@code RankWorker.load(modelDir, new RankSpec(tp, tpSize, pp, ppSize, epoch), options, transport)}
 *       — the worker loads only its shard;</li>
 *   <li>implements {@link io.troupe.llm.spi.RankTransport} over the cluster transport (all-reduce within a
 *       stage, activations to the next stage, deadlines, epoch fencing);</li>
 *   <li>implements {@link io.troupe.llm.spi.RankHandle} as a call to that actor's {@code runStep};</li>
 *   <li>builds {@code io.troupe.llm.parallel.RankGroupExecutor} from the handles and gives it to the engine.</li>
 * </ol>
 * Any rank failure fails the step with {@link io.troupe.llm.spi.RankFailureException}; the engine then
 * finishes every in-flight request with {@code FinishReason.ERROR} and the message naming the rank. An
 * executor whose group restarts (a gang restart at a new epoch) reports
 * {@link io.troupe.llm.spi.ModelExecutor#recovers()}, and the engine keeps admitting requests after the failure.
 */
package io.troupe.llm.spi;
