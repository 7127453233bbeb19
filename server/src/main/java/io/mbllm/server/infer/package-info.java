/** Inference on loaded models: prompt rendering, generation with format and tools, embeddings, model info. */
package io.mbllm.server.infer;
