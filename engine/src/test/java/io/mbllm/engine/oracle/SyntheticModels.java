package io.mbllm.engine.oracle;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.mbllm.engine.synth.NormalF16;
import io.mbllm.engine.synth.SynthShape;
import io.mbllm.engine.synth.SyntheticModel;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.quant.Half;

/**
 * The synthetic F16 models of the oracle, made by {@link SyntheticModel} into {@link OracleCache#dir()} as
 * {@code <model>-F16.mbllm.gguf} (names of their own, so llama.cpp-made files in the same folder are never
 * touched). A cached file is reused only when its SHA-256 equals {@code models.sha256}.
 */
final class SyntheticModels {
    static final long SEED = 42;
    static final int THREADS = 2;

    private SyntheticModels() {}

    /**
     * A verified model file.
     *
     * @param path      the file
     * @param sha256    its SHA-256 (computed while writing, or from the cache)
     * @param generated true when made by this call
     * @param elapsed   generation time (zero when cached)
     */
    record Model(Path path, String sha256, boolean generated, Duration elapsed) {}

    /** The reference file name in {@code models.sha256}. */
    static String referenceName(SynthShape shape) {
        return shape.name() + "-F16.gguf";
    }

    static Path vocab(SynthShape shape) {
        return OracleData.file(shape == SynthShape.LLAMA_1B ? "vocab/vocab-llama3.gguf" : "vocab/ggml-vocab-gpt-neox.gguf");
    }

    /** Our cache path of the F16 model. */
    static Path cachePath(SynthShape shape) throws IOException {
        return OracleCache.dir().resolve(shape.name() + "-F16.mbllm.gguf");
    }

    /**
     * The F16 model of {@code shape}: the cached file when its hash matches {@code models.sha256}, else
     * generated (the hash is computed while writing). The caller asserts the returned hash.
     */
    static synchronized Model f16(SynthShape shape) throws IOException, InterruptedException {
        return f16(shape, false);
    }

    /** As {@link #f16(SynthShape)}; {@code regenerate} ignores a cached file. */
    static synchronized Model f16(SynthShape shape, boolean regenerate) throws IOException, InterruptedException {
        String expected = OracleData.modelHash(referenceName(shape));
        Path path = cachePath(shape);
        if (!regenerate && Files.isRegularFile(path)) {
            String h = OracleTiming.time(shape.name() + " F16: verify cached file", () -> OracleCache.sha256(path));
            if (h.equals(expected)) return new Model(path, h, false, Duration.ZERO);
            System.err.println("[oracle] cached " + path + " has SHA-256 " + h + ", expected " + expected + ": regenerating");
        }
        SyntheticModel.Written w = SyntheticModel.of(shape, SEED, vocab(shape)).write(path, THREADS);
        OracleCache.record(path, w.sha256());
        OracleTiming.record(shape.name() + " F16: generate (" + THREADS + " threads, SHA-256 while writing)", w.elapsed());
        System.err.printf("[oracle] generated %s (%,d bytes) in %.1f s, SHA-256 %s%n", path.getFileName(), w.bytes(),
                w.elapsed().toNanos() / 1e9, w.sha256());
        if (!w.sha256().equals(expected)) System.err.println("[oracle] " + firstDifference(shape, path));
        return new Model(path, w.sha256(), true, w.elapsed());
    }

    /**
     * On a hash mismatch: compares our file with a verified reference copy ({@code <model>-F16.gguf} made by the
     * Python script, in the cache folder) and names the first differing tensor element.
     */
    static String firstDifference(SynthShape shape, Path ours) throws IOException {
        Path ref = OracleCache.dir().resolve(referenceName(shape));
        if (!Files.isRegularFile(ref)) return "no reference copy " + ref + " to locate the difference";
        if (!OracleCache.sha256(ref).equals(OracleData.modelHash(referenceName(shape)))) {
            return "reference copy " + ref + " does not match models.sha256 either";
        }
        try (GgufFile a = GgufFile.open(ours); GgufFile b = GgufFile.open(ref)) {
            long header = Math.min(a.dataOffset(), b.dataOffset());
            long m = a.segment().asSlice(0, header).mismatch(b.segment().asSlice(0, header));
            if (m >= 0 || a.dataOffset() != b.dataOffset()) return "headers differ at byte " + Math.max(m, header);
            for (TensorInfo t : b.tensors()) {
                Optional<TensorInfo> mine = a.findTensor(t.name());
                if (mine.isEmpty()) return "tensor " + t.name() + " missing";
                MemorySegment x = a.tensorData(mine.get()), y = b.tensorData(t);
                long d = x.mismatch(y);
                if (d < 0) continue;
                long i = d / 2;
                short got = x.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i), want = y.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i);
                double z = NormalF16.gaussian(NormalF16.key(SEED, t.name()), i);
                return String.format("first difference: %s element %d: ours fp16 0x%04x (%s), reference 0x%04x (%s); "
                        + "float64 z = %s, 0.02*z = %s", t.name(), i, got & 0xffff, Half.toFloat(got),
                        want & 0xffff, Half.toFloat(want), z, 0.02 * z);
            }
            return "tensor data identical; the difference is in padding or size";
        }
    }
}
