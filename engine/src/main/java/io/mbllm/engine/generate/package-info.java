/** Turning logits into tokens: greedy decoding (sampling comes later). */
package io.mbllm.engine.generate;
