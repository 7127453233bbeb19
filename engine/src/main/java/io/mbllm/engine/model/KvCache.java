package io.mbllm.engine.model;

/**
 * The float32 key/value cache of one context: per layer, {@code contextLength} rows of keys
 * ({@code n_head_kv × key_length}) and of values ({@code n_head_kv × value_length}). Memory:
 * {@code 4 × contextLength × Σ_layers (keyDim + valueDim)} bytes, e.g. 512 MiB for a Llama-3.2-1B at 8192
 * tokens (16 layers × 8192 × (512 + 512) × 4).
 */
public final class KvCache {
    final float[][] keys;
    final float[][] values;
    private final int contextLength;
    private final long bytes;

    KvCache(ModelConfig config, int contextLength) {
        int nLayer = config.blockCount();
        this.contextLength = contextLength;
        this.keys = new float[nLayer][];
        this.values = new float[nLayer][];
        long total = 0;
        for (int l = 0; l < nLayer; l++) {
            keys[l] = new float[Math.toIntExact((long) contextLength * config.keyDim(l))];
            values[l] = new float[Math.toIntExact((long) contextLength * config.valueDim(l))];
            total += 4L * (keys[l].length + values[l].length);
        }
        this.bytes = total;
    }

    /** Bytes a cache for {@code contextLength} tokens of this model takes. */
    public static long bytesFor(ModelConfig config, int contextLength) {
        long total = 0;
        for (int l = 0; l < config.blockCount(); l++) {
            total += 4L * contextLength * (config.keyDim(l) + config.valueDim(l));
        }
        return total;
    }

    /** Positions the cache can hold. */
    public int contextLength() {
        return contextLength;
    }

    /** Bytes held. */
    public long bytes() {
        return bytes;
    }
}
