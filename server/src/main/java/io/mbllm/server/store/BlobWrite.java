package io.mbllm.server.store;

/**
 * The outcome of storing a blob.
 *
 * @param digest  its SHA-256
 * @param size    its length in bytes
 * @param created true when newly stored, false when the blob was already present (Ollama: {@code using
 *                existing layer}; HTTP 200 instead of 201)
 */
public record BlobWrite(Digest digest, long size, boolean created) {
}
