package io.mbllm.engine.model;

import io.mbllm.kernels.ExactMode;

/**
 * The key/value cache of one context: per layer, {@code contextLength} rows of keys ({@code n_head_kv × key_length})
 * and of values ({@code n_head_kv × value_length}). Two element types, chosen once per JVM by
 * {@link ExactMode#ATTENTION}:
 * <ul>
 *   <li>F16 (exact mode, the default): IEEE binary16 bits in {@code short} arrays, llama.cpp's default cache type
 *   ({@code -ctk f16 -ctv f16}); 2 bytes an element, e.g. 256 MiB for a Llama-3.2-1B at 8192 tokens
 *   (16 layers × 8192 × (512 + 512) × 2);</li>
 *   <li>float32 ({@code -Dmbllm.exact=false} or {@code mbllm.exact.attention=false}): 4 bytes an element.</li>
 * </ul>
 */
public final class KvCache {
    /** True when the cache holds F16 ({@link #keys16}, {@link #values16}), else float32 ({@link #keys}, {@link #values}). */
    static final boolean F16 = ExactMode.ATTENTION;

    final float[][] keys;
    final float[][] values;
    final short[][] keys16;
    final short[][] values16;
    private final int contextLength;
    private final long bytes;

    KvCache(ModelConfig config, int contextLength) {
        int nLayer = config.blockCount();
        this.contextLength = contextLength;
        this.keys = F16 ? null : new float[nLayer][];
        this.values = F16 ? null : new float[nLayer][];
        this.keys16 = F16 ? new short[nLayer][] : null;
        this.values16 = F16 ? new short[nLayer][] : null;
        for (int l = 0; l < nLayer; l++) {
            int nk = Math.toIntExact((long) contextLength * config.keyDim(l));
            int nv = Math.toIntExact((long) contextLength * config.valueDim(l));
            if (F16) {
                keys16[l] = new short[nk];
                values16[l] = new short[nv];
            } else {
                keys[l] = new float[nk];
                values[l] = new float[nv];
            }
        }
        this.bytes = bytesFor(config, contextLength);
    }

    /** Bytes a cache for {@code contextLength} tokens of this model takes (in this JVM's element type). */
    public static long bytesFor(ModelConfig config, int contextLength) {
        long elements = 0;
        for (int l = 0; l < config.blockCount(); l++) {
            elements += (long) contextLength * (config.keyDim(l) + config.valueDim(l));
        }
        return elements * (F16 ? 2 : 4);
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
