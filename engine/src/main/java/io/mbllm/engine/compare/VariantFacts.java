package io.mbllm.engine.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.TensorInfo;

/**
 * What a GGUF file's header says about its size, read without loading the model.
 *
 * @param fileBytes   size of the file
 * @param tensorBytes bytes of tensor data
 * @param params      number of weights (elements of every tensor)
 */
public record VariantFacts(long fileBytes, long tensorBytes, long params) {

    /** Bits per weight: {@code tensor bytes · 8 / params} (what llama.cpp prints as BPW), 0 without tensors. */
    public double bitsPerWeight() {
        return params == 0 ? 0 : tensorBytes * 8.0 / params;
    }

    /** The facts of an open file. */
    public static VariantFacts of(GgufFile file) {
        long bytes = 0, params = 0;
        for (TensorInfo t : file.tensors()) {
            bytes += t.byteSize();
            params += t.elementCount();
        }
        return new VariantFacts(file.size(), bytes, params);
    }

    /**
     * Maps the file's header and reads its facts.
     *
     * @throws CompareException when the file is missing or not GGUF
     */
    public static VariantFacts probe(Path file) throws CompareException {
        if (!Files.isRegularFile(file)) throw new CompareException(file + ": no such file");
        try (GgufFile f = GgufFile.open(file)) {
            return of(f);
        } catch (GgufFormatException e) {
            throw new CompareException(file + ": not a valid GGUF file: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CompareException(file + ": " + e.getMessage(), e);
        }
    }
}
