package io.mbllm.gguf.quant;

/**
 * Reusable scratch space of the {@link ScaleSearch} routines: one slot per vector lane (one lane per trial scale)
 * for the per-trial results that the sequential selection reads. Create one per thread (a codec creates one per
 * row) and pass it to every search; not thread-safe.
 */
public final class SearchScratch {
    final float[] iscale = new float[ScaleSearch.LANES];
    final float[] det = new float[ScaleSearch.LANES];
    final float[] scale = new float[ScaleSearch.LANES];
    final float[] min = new float[ScaleSearch.LANES];
    final float[] err = new float[ScaleSearch.LANES];
    /** The codes of every trial for up to {@link #MAX_N} elements, element-major. */
    final float[] codes = new float[MAX_N * ScaleSearch.LANES];

    /** The longest group a search accepts (ggml's groups have 16 or 32 elements). */
    public static final int MAX_N = 32;

    /** Creates scratch for one thread. */
    public SearchScratch() {}
}
