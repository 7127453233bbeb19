package io.mbllm.gguf.quant;

/**
 * Per-row scratch space of the K-quant quantizers, sized for the largest type; allocated once per
 * {@code quantizeRow} call and reused for every super-block.
 */
final class KScratch {
    /** Codes of the 256 elements of the current super-block. */
    final byte[] L = new byte[KQuantCodec.QK_K];
    /** Scratch of the scale searches. */
    final SearchScratch search = new SearchScratch();
    /** Per-element weights of one sub-block. */
    final float[] weights = new float[32];
    /** Sub-block scales, mins and weight sums (at most 16 sub-blocks). */
    final float[] scales = new float[16];
    final float[] mins = new float[16];
    final float[] sw = new float[16];
    /** Quantized sub-block scales and mins. */
    final byte[] ls = new byte[16];
    final byte[] lm = new byte[16];
}
