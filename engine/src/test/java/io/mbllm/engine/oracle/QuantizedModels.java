package io.mbllm.engine.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.mbllm.engine.synth.SynthShape;
import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeOptions;

/**
 * The synthetic models quantized by mbllm's {@link ModelQuantizer} (no imatrix, 2 threads, as
 * {@code llama-quantize <F16> <out> <TYPE> 2}), cached as {@code <model>-<TYPE>.mbllm.gguf}. A cached file is
 * reused only when its SHA-256 equals the llama.cpp file's in {@code models.sha256}; otherwise it is made again.
 */
final class QuantizedModels {
    private QuantizedModels() {}

    /**
     * A quantized model file.
     *
     * @param path        the file
     * @param sha256      its SHA-256
     * @param quantized   true when made by this call
     * @param quantize    time of the quantization (zero when cached)
     * @param hash        time of hashing the file
     */
    record Model(Path path, String sha256, boolean quantized, Duration quantize, Duration hash) {}

    /** The llama.cpp file name in {@code models.sha256}. */
    static String referenceName(SynthShape shape, FileType type) {
        return shape.name() + "-" + type.displayName() + ".gguf";
    }

    static Path cachePath(SynthShape shape, FileType type) throws IOException {
        return OracleCache.dir().resolve(shape.name() + "-" + type.displayName() + ".mbllm.gguf");
    }

    /** The quantized model: cached when it matches {@code models.sha256}, else quantized from the verified F16. */
    static synchronized Model get(SynthShape shape, FileType type) throws IOException, InterruptedException {
        String expected = OracleData.modelHash(referenceName(shape, type));
        Path out = cachePath(shape, type);
        if (Files.isRegularFile(out)) {
            long t0 = System.nanoTime();
            String h = OracleCache.sha256(out);
            Duration hash = Duration.ofNanos(System.nanoTime() - t0);
            if (h.equals(expected)) return new Model(out, h, false, Duration.ZERO, hash);
        }
        SyntheticModels.Model f16 = SyntheticModels.f16(shape);
        String f16Expected = OracleData.modelHash(SyntheticModels.referenceName(shape));
        if (!f16.sha256().equals(f16Expected)) {
            throw new AssertionError("F16 source " + f16.path() + " does not match models.sha256; cannot quantize");
        }
        ModelQuantizer.Result r = ModelQuantizer.quantize(f16.path(), out,
                QuantizeOptions.of(type).withThreads(SyntheticModels.THREADS), ModelQuantizer.ProgressListener.none());
        OracleTiming.record(shape.name() + " " + type.displayName() + ": quantize (ModelQuantizer, "
                + SyntheticModels.THREADS + " threads)", r.elapsed());
        long t0 = System.nanoTime();
        String h = OracleCache.hashFile(out);
        Duration hash = Duration.ofNanos(System.nanoTime() - t0);
        OracleTiming.record(shape.name() + " " + type.displayName() + ": SHA-256 of the new file", hash);
        OracleCache.record(out, h);
        return new Model(out, h, true, r.elapsed(), hash);
    }
}
