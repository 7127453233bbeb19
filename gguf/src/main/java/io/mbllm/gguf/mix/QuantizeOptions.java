package io.mbllm.gguf.mix;

import io.mbllm.gguf.GgmlType;

/**
 * Options of a whole-model quantization run (the knobs of {@code llama-quantize}).
 *
 * @param ftype              target file type
 * @param pure               no per-tensor rules: every quantizable tensor gets the default type
 * @param outputTensorType   type for {@code output.weight} (and a tied token_embd), or null for the rules
 * @param tokenEmbeddingType type for {@code token_embd.weight}, or null for the rules
 * @param imatrix            importance matrix, or null
 * @param imatrixFile        the imatrix path as given by the user, recorded in {@code quantize.imatrix.file}
 *                           (null: not recorded)
 * @param allowRequantize    accept already-quantized source tensors (they are dequantized first)
 * @param threads            worker threads (at least 1)
 */
public record QuantizeOptions(FileType ftype, boolean pure, GgmlType outputTensorType, GgmlType tokenEmbeddingType,
                              Imatrix imatrix, String imatrixFile, boolean allowRequantize, int threads) {
    /** Most threads a run accepts. */
    public static final int MAX_THREADS = 1024;

    public QuantizeOptions {
        if (ftype == null) throw new IllegalArgumentException("ftype is null");
        if (threads < 1 || threads > MAX_THREADS) throw new IllegalArgumentException("threads must be 1.." + MAX_THREADS + ": " + threads);
    }

    /** Defaults for an ftype: rules on, no overrides, no imatrix, no requantize, one thread per core. */
    public static QuantizeOptions of(FileType ftype) {
        return new QuantizeOptions(ftype, false, null, null, null, null, false,
                Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public QuantizeOptions withPure(boolean p) {
        return new QuantizeOptions(ftype, p, outputTensorType, tokenEmbeddingType, imatrix, imatrixFile, allowRequantize, threads);
    }

    public QuantizeOptions withOutputTensorType(GgmlType t) {
        return new QuantizeOptions(ftype, pure, t, tokenEmbeddingType, imatrix, imatrixFile, allowRequantize, threads);
    }

    public QuantizeOptions withTokenEmbeddingType(GgmlType t) {
        return new QuantizeOptions(ftype, pure, outputTensorType, t, imatrix, imatrixFile, allowRequantize, threads);
    }

    /** The imatrix and the file name to record for it. */
    public QuantizeOptions withImatrix(Imatrix m, String file) {
        return new QuantizeOptions(ftype, pure, outputTensorType, tokenEmbeddingType, m, file, allowRequantize, threads);
    }

    public QuantizeOptions withAllowRequantize(boolean a) {
        return new QuantizeOptions(ftype, pure, outputTensorType, tokenEmbeddingType, imatrix, imatrixFile, a, threads);
    }

    public QuantizeOptions withThreads(int n) {
        return new QuantizeOptions(ftype, pure, outputTensorType, tokenEmbeddingType, imatrix, imatrixFile, allowRequantize, n);
    }

    /** The subset the type chooser needs. */
    public MixOptions mixOptions() {
        return new MixOptions(ftype, pure, outputTensorType, tokenEmbeddingType, imatrix != null);
    }
}
