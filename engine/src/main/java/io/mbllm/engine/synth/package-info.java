/**
 * Deterministic random-weight GGUF models: the Java twin of {@code gen_synth_gguf.py} (shared
 * {@code testdata/llamacpp-oracle}), bit for bit. Used by the llama.cpp oracle tests and for benchmarks.
 */
package io.mbllm.engine.synth;
