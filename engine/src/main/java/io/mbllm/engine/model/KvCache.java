package io.mbllm.engine.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import io.mbllm.kernels.ExactMode;

/**
 * The key/value cache of one context: per layer, {@code contextLength} rows of keys ({@code n_head_kv × key_length})
 * and of values ({@code n_head_kv × value_length}). Two element types, chosen once per JVM by
 * {@link ExactMode#ATTENTION}:
 * <ul>
 *   <li>F16 (exact mode, the default): IEEE binary16 bits, llama.cpp's default cache type ({@code -ctk f16
 *   -ctv f16}); 2 bytes an element, e.g. 256 MiB for a Llama-3.2-1B at 8192 tokens (16 layers × 8192 ×
 *   (512 + 512) × 2). Held off the Java heap, in one native allocation freed by {@link #close()}: as heap arrays
 *   the cache was first written into the young generation and then copied out of it, which left that many more
 *   pages resident (a 367 MB cache cost about 100 MB extra), and it needed that much free heap;</li>
 *   <li>float32 ({@code -Dmbllm.exact=false} or {@code mbllm.exact.attention=false}): 4 bytes an element, in heap
 *   arrays.</li>
 * </ul>
 */
public final class KvCache implements AutoCloseable {
    /** True when the cache holds F16 ({@link #keys16}, {@link #values16}), else float32 ({@link #keys}, {@link #values}). */
    static final boolean F16 = ExactMode.ATTENTION;

    final float[][] keys;
    final float[][] values;
    /** F16 mode: per layer, the keys and the values (binary16 bits, element index = position × dim + i). */
    final MemorySegment[] keys16;
    final MemorySegment[] values16;
    private final Arena arena; // F16 mode: owns keys16/values16
    private final int contextLength;
    private final long bytes;

    KvCache(ModelConfig config, int contextLength) {
        int nLayer = config.blockCount();
        this.contextLength = contextLength;
        this.keys = F16 ? null : new float[nLayer][];
        this.values = F16 ? null : new float[nLayer][];
        this.keys16 = F16 ? new MemorySegment[nLayer] : null;
        this.values16 = F16 ? new MemorySegment[nLayer] : null;
        this.arena = F16 ? Arena.ofShared() : null;
        for (int l = 0; l < nLayer; l++) {
            long nk = (long) contextLength * config.keyDim(l), nv = (long) contextLength * config.valueDim(l);
            if (F16) {
                keys16[l] = arena.allocate(2 * nk, 64);
                values16[l] = arena.allocate(2 * nv, 64);
            } else {
                keys[l] = new float[Math.toIntExact(nk)];
                values[l] = new float[Math.toIntExact(nv)];
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

    /** Frees the native F16 cache (nothing to do for heap arrays). Not to be called while the context runs. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) arena.close();
    }
}
