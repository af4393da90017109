/**
 * Llama-family models in the Hugging Face layout: {@link io.troupe.llm.model.ModelConfig} (config.json),
 * {@link io.troupe.llm.model.SafetensorsFile} / {@link io.troupe.llm.model.ModelFolder} (memory-mapped,
 * F32/F16/BF16, single file or sharded index), per-rank {@link io.troupe.llm.model.ShardWeights} and the
 * forward pass {@link io.troupe.llm.model.ShardForward}. {@link io.troupe.llm.model.RandomModelWriter}
 * writes deterministic random-weight models for tests, demos and benchmarks — their output is noise.
 */
package io.troupe.llm.model;
