/**
 * Model evaluation with llama.cpp's definitions: perplexity over non-overlapping chunks
 * ({@link io.mbllm.engine.eval.Perplexity}), KL divergence against a stored base run
 * ({@link io.mbllm.engine.eval.KlDivergence}, {@link io.mbllm.engine.eval.LogitsBaseFile}), and throughput
 * benchmarks in the shape of llama-bench ({@link io.mbllm.engine.eval.Benchmark}).
 */
package io.mbllm.engine.eval;
