/**
 * Tokenizers read from GGUF metadata, matching llama.cpp's behaviour: SentencePiece-style BPE with byte
 * fallback ({@link io.mbllm.engine.tokenizer.SpmTokenizer}), byte-level BPE with per-model pre-tokenizers
 * ({@link io.mbllm.engine.tokenizer.BpeTokenizer}) and WordPiece ({@link io.mbllm.engine.tokenizer.WpmTokenizer}),
 * plus a {@link io.mbllm.engine.tokenizer.StreamingDetokenizer} for token-by-token output.
 *
 * <p>Entry point: {@link io.mbllm.engine.tokenizer.Tokenizers}.
 */
package io.mbllm.engine.tokenizer;
