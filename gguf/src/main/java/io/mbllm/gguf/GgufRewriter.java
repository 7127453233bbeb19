package io.mbllm.gguf;

import java.io.IOException;
import java.nio.file.Path;

/** Re-writes a parsed GGUF file through {@link GgufWriter} (same metadata, tensors, data and version). */
public final class GgufRewriter {
    private GgufRewriter() {}

    /**
     * Copies {@code source} to {@code target}. A file written by ggml or gguf-py comes out byte for byte
     * identical (the n_dims as stored, and trailing padding of a zero-tensor file, are kept). A file the
     * reader accepted leniently comes out canonical: tensors back to back in info order, zero padding,
     * bools as 0/1, padding after the last tensor.
     */
    public static void copy(GgufFile source, Path target) throws IOException {
        GgufWriter.Builder b = GgufWriter.builder()
                .metadata(source.metadata())
                .addTensors(source.tensors())
                .version(source.version())
                .padWhenEmpty(source.paddedAfterInfos());
        try (GgufWriter w = b.open(target)) {
            for (TensorInfo t : source.tensors()) w.write(source.tensorData(t));
            w.finish();
        }
    }
}
