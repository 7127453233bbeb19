package io.mbllm.gguf.mix;

import io.mbllm.gguf.GgmlType;

/**
 * Options that change the per-tensor type choice.
 *
 * @param ftype              the target file type
 * @param pure               skip the per-tensor rules: every quantizable tensor gets the default type (the
 *                           row-length fallback still applies so the file stays valid)
 * @param outputTensorType   override for {@code output.weight} (and a tied {@code token_embd.weight}), or null
 * @param tokenEmbeddingType override for {@code token_embd.weight}, or null
 * @param hasImatrix         whether an importance matrix is used (changes Q4_0/Q5_0 ffn_down)
 */
public record MixOptions(FileType ftype, boolean pure, GgmlType outputTensorType, GgmlType tokenEmbeddingType,
                         boolean hasImatrix) {
    public MixOptions {
        if (ftype == null) throw new IllegalArgumentException("ftype is null");
    }

    /** Default options for an ftype: rules on, no overrides, no imatrix. */
    public static MixOptions of(FileType ftype) {
        return new MixOptions(ftype, false, null, null, false);
    }

    /** The same options with the imatrix flag set. */
    public MixOptions withImatrix(boolean has) {
        return new MixOptions(ftype, pure, outputTensorType, tokenEmbeddingType, has);
    }
}
