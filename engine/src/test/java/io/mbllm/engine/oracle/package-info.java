/**
 * The llama.cpp oracle harness ({@code shared/testdata/llamacpp-oracle}): the synthetic models regenerated in
 * Java bit for bit ({@link io.mbllm.engine.oracle.SyntheticModelsOracleTest}), quantized by mbllm into files
 * byte-identical to {@code llama-quantize}'s ({@link io.mbllm.engine.oracle.QuantizedModelsOracleTest}), and
 * mbllm's forward pass compared with llama.cpp's logits ({@link io.mbllm.engine.oracle.ForwardOracleTest});
 * {@link io.mbllm.engine.oracle.OracleTokensTest} checks the tokenizer on the same prompts.
 *
 * <p>Tests tagged {@code oracle} make multi-GB files in {@code ~/.cache/mbllm/oracle} (root overridable with
 * {@code -Dmbllm.cache} or {@code MBLLM_CACHE}) and reuse them while their SHA-256 still matches
 * {@code models.sha256}. By default both llama-1b and stablelm-3b run; {@code -Doracle=quick} runs llama-1b only, {@code -Doracle=off} skips them,
 * {@code -Doracle.regenerate=true} regenerates the F16 files, {@code -Doracle.matmul=reference|native} picks
 * the kernel of the forward pass. Each stage prints its wall time as {@code [oracle-time]}.
 */
package io.mbllm.engine.oracle;
