/**
 * Sampling: {@link io.mbllm.engine.sample.SamplingOptions} (Ollama's option names, defaults and validation,
 * read from a map by {@link io.mbllm.engine.sample.OptionsParser}), the {@link io.mbllm.engine.sample.Sampler}
 * chain (penalties → top_k → typical_p → top_p → min_p → temperature → draw, as llama.cpp's common sampler;
 * temperature 0 is argmax) and the {@link io.mbllm.engine.sample.StopMatcher} for stop strings in streamed text.
 */
package io.mbllm.engine.sample;
