package io.mbllm.gguf.mix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.quant.QuantTypes;

/**
 * Quantizes a whole GGUF model the way {@code llama-quantize} does, producing a byte-identical file
 * ({@code shared/docs/quantization.md} §6): per-tensor types from {@link TensorTypeChooser}, KVs copied in
 * input order with {@code general.quantization_version} and {@code general.file_type} moved to the end (then the
 * {@code quantize.imatrix.*} keys), tensors in (layer, name) order, alignment from the input (32 by default),
 * {@code n_dims} without trailing 1s.
 *
 * <p>Streaming: the input stays memory-mapped; each tensor's rows are converted by {@code threads} workers in
 * chunks of about a million values with a bounded number of chunk buffers in flight, written in order through
 * {@link GgufWriter}; peak memory does not grow with the model. Interrupting the calling thread cancels the
 * run: {@link InterruptedException} is thrown and the partial output is deleted.
 */
public final class ModelQuantizer {
    private static final long COPY_SLICE = 16L << 20;
    /** Longest {@code quantize.imatrix.*} string llama-quantize records (a 128-byte C buffer). */
    static final int MAX_KV_STRING = 127;

    private ModelQuantizer() {}

    /** A progress report: the tensor being written, its 0-based index, and source bytes processed so far. */
    public record Progress(String tensor, int index, int count, long bytesDone, long bytesTotal) {}

    /** Receives {@link Progress} reports on the quantizing thread. */
    @FunctionalInterface
    public interface ProgressListener {
        void onProgress(Progress p);

        /** A listener that ignores everything. */
        static ProgressListener none() { return p -> { }; }
    }

    /** What one tensor becomes. {@code importance} is null when the tensor is quantized without an imatrix. */
    public record TensorPlan(TensorInfo source, GgmlType target, boolean convert, float[] importance) {}

    /**
     * Summary of a run.
     *
     * @param inputTensorBytes  tensor data bytes of the input
     * @param outputTensorBytes tensor data bytes of the output
     * @param inputFileBytes    input file size
     * @param outputFileBytes   output file size
     * @param elements          total number of tensor elements
     * @param elapsed           wall time of the run
     * @param tensorCounts      number of output tensors per type
     */
    public record Result(FileType ftype, long inputTensorBytes, long outputTensorBytes, long inputFileBytes,
                         long outputFileBytes, long elements, Duration elapsed, Map<GgmlType, Integer> tensorCounts) {
        /** Bits per weight of the output tensor data. */
        public double bitsPerWeight() {
            return elements == 0 ? 0 : outputTensorBytes * 8.0 / elements;
        }

        /** Input tensor bytes per second (MB/s of input when divided by 10^6). */
        public double inputBytesPerSecond() {
            double s = elapsed.toNanos() / 1e9;
            return s <= 0 ? 0 : inputTensorBytes / s;
        }
    }

    /** Opens {@code input}, quantizes it into {@code output} (see {@link #quantize(GgufFile, Path, QuantizeOptions, ProgressListener)}). */
    public static Result quantize(Path input, Path output, QuantizeOptions options, ProgressListener listener)
            throws IOException, InterruptedException {
        try (GgufFile in = GgufFile.open(input)) {
            return quantize(in, output, options, listener);
        }
    }

    /**
     * Quantizes {@code in} into {@code output}; the output appears only when complete.
     *
     * @throws QuantizeException    when the model cannot be quantized as asked (nothing is written)
     * @throws InterruptedException when the thread was interrupted (the partial output is deleted)
     */
    public static Result quantize(GgufFile in, Path output, QuantizeOptions options, ProgressListener listener)
            throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        List<TensorPlan> plan = plan(in, options);
        GgufMetadata meta = outputMetadata(in.metadata(), options);
        List<TensorInfo> outInfos = new ArrayList<>(plan.size());
        long inBytes = 0, outBytes = 0, elements = 0;
        Map<GgmlType, Integer> counts = new EnumMap<>(GgmlType.class);
        for (TensorPlan p : plan) {
            TensorInfo o = new TensorInfo(p.source().name(), p.source().ne(), p.target(), 0).withGgmlNDims();
            outInfos.add(o);
            inBytes += p.source().byteSize();
            outBytes += o.byteSize();
            elements += p.source().elementCount();
            counts.merge(p.target(), 1, Integer::sum);
        }
        long total = inBytes;
        long[] done = {0};
        try (GgufWriter w = GgufWriter.builder().metadata(meta).addTensors(outInfos).open(output);
             ParallelRowQuantizer rows = new ParallelRowQuantizer(options.threads(), ParallelRowQuantizer.DEFAULT_CHUNK_ELEMENTS)) {
            for (int i = 0; i < plan.size(); i++) {
                TensorPlan p = plan.get(i);
                TensorInfo src = p.source();
                String name = src.name();
                int index = i;
                listener.onProgress(new Progress(name, index, plan.size(), done[0], total));
                MemorySegment data = in.tensorData(src);
                if (!p.convert()) {
                    for (long off = 0; off < data.byteSize(); off += COPY_SLICE) {
                        long n = Math.min(COPY_SLICE, data.byteSize() - off);
                        w.write(data.asSlice(off, n));
                        done[0] += n;
                        if (Thread.interrupted()) throw new InterruptedException("quantization cancelled");
                        listener.onProgress(new Progress(name, index, plan.size(), done[0], total));
                    }
                } else {
                    rows.convert(data, src.type(), p.target(), src.ne(0), src.rowCount(), p.importance(), src.ne(1),
                            w::write, n -> {
                                done[0] += n;
                                listener.onProgress(new Progress(name, index, plan.size(), done[0], total));
                            });
                }
            }
            w.finish();
        }
        long outFile = Files.size(output);
        return new Result(options.ftype(), inBytes, outBytes, in.size(), outFile, elements,
                Duration.ofNanos(System.nanoTime() - t0), Collections.unmodifiableMap(counts));
    }

    /**
     * Decides every tensor's output type, in output order, and checks that the run can succeed (codecs exist,
     * source types are acceptable, imatrix entries fit) before anything is written.
     */
    public static List<TensorPlan> plan(GgufFile in, QuantizeOptions options) throws QuantizeException {
        ModelFacts facts = factsOf(in);
        List<TensorInfo> ordered = new ArrayList<>(in.tensors());
        ordered.sort((a, b) -> MixRules.PROCESSING_ORDER.compare(a.name(), b.name()));
        int nAttnV = 0;
        for (TensorInfo t : ordered) if (TensorCategory.isVLike(t.name())) nAttnV++;
        TensorTypeChooser chooser;
        try {
            chooser = new TensorTypeChooser(facts, options.mixOptions(), nAttnV);
        } catch (IllegalArgumentException e) {
            throw new QuantizeException(e.getMessage(), e);
        }
        Imatrix imatrix = options.imatrix();
        List<TensorPlan> out = new ArrayList<>(ordered.size());
        for (TensorInfo t : ordered) {
            String name = t.name();
            boolean quantizable = MixRules.isQuantizable(name, t.ggmlNDims());
            GgmlType target;
            try {
                target = quantizable ? chooser.choose(new TensorShape(name, shapeOf(t))) : t.type();
            } catch (IllegalArgumentException e) {
                throw new QuantizeException("tensor '" + name + "': " + e.getMessage(), e);
            }
            if (target == t.type()) {
                out.add(new TensorPlan(t, target, false, null));
                continue;
            }
            if (t.type().isQuantized() && !options.allowRequantize()) {
                throw new QuantizeException("tensor '" + name + "' is already quantized (" + t.type().ggmlName()
                        + "); requantizing is disabled (use --allow-requantize)");
            }
            if (QuantTypes.find(t.type()).isEmpty()) {
                throw new QuantizeException("tensor '" + name + "': mbllm cannot read source type " + t.type().ggmlName());
            }
            if (QuantTypes.find(target).isEmpty()) {
                throw new QuantizeException("tensor '" + name + "': mbllm cannot quantize to " + target.ggmlName());
            }
            float[] importance = null;
            if (imatrix != null && imatrix.has(name)) {
                long want = t.ne(0) * t.ne(2);
                if (imatrix.length(name) == want && t.ne(3) == 1) {
                    importance = imatrix.vector(name);
                } else if (!name.equals("token_embd.weight")) {
                    throw new QuantizeException("imatrix size " + imatrix.length(name) + " is different from tensor size "
                            + want + " for " + name);
                }
            }
            if (importance == null && options.ftype() == FileType.Q2_K_S && target == GgmlType.Q2_K
                    && !name.equals("token_embd.weight")) {
                throw new QuantizeException("missing importance matrix for tensor " + name
                        + " in a very low-bit quantization (Q2_K_S needs --imatrix)");
            }
            if (QuantTypes.codec(target).requiresImportance() && importance == null) {
                throw new QuantizeException("missing importance matrix for tensor " + name + " (" + target.ggmlName() + ")");
            }
            out.add(new TensorPlan(t, target, true, importance));
        }
        return out;
    }

    /** The facts the mix rules need, from the model's metadata and tensor names. */
    public static ModelFacts factsOf(GgufFile in) throws QuantizeException {
        GgufMetadata m = in.metadata();
        try {
            String arch = m.getString("general.architecture");
            int nLayer = m.getInt(arch + ".block_count", 0);
            int nHead = firstInt(m, arch + ".attention.head_count", 0);
            int nHeadKv = firstInt(m, arch + ".attention.head_count_kv", nHead);
            int nExpert = m.getInt(arch + ".expert_count", 0);
            boolean hasOutput = in.findTensor("output.weight").isPresent();
            return new ModelFacts(arch, nLayer, nHead, nHeadKv, nExpert, hasOutput);
        } catch (GgufFormatException | IllegalArgumentException e) {
            throw new QuantizeException("cannot read the model's hyper-parameters: " + e.getMessage(), e);
        }
    }

    private static int firstInt(GgufMetadata m, String key, int dflt) throws GgufFormatException {
        GgufValue v = m.find(key).orElse(null);
        if (v == null) return dflt;
        if (v instanceof GgufValue.Array) {
            int[] a = m.getIntArray(key);
            return a.length == 0 ? dflt : a[0];
        }
        return m.getInt(key);
    }

    private static long[] shapeOf(TensorInfo t) {
        long[] ne = t.ne();
        return ne.length == 0 ? new long[] {1} : ne;
    }

    /** The output KVs: input order, split keys removed, version and file type moved to the end, imatrix keys. */
    static GgufMetadata outputMetadata(GgufMetadata in, QuantizeOptions options) {
        GgufMetadata.Builder b = in.toBuilder();
        b.putLast("general.quantization_version", GgufValue.u32(2));
        b.putLast("general.file_type", GgufValue.u32(options.ftype().id()));
        b.remove("split.no").remove("split.count").remove("split.tensors.count");
        Imatrix im = options.imatrix();
        if (im != null) {
            if (options.imatrixFile() != null && !options.imatrixFile().isEmpty()) {
                b.putLast("quantize.imatrix.file", new GgufValue.Str(truncated(options.imatrixFile())));
            }
            if (!im.datasets().isEmpty()) {
                b.putLast("quantize.imatrix.dataset", new GgufValue.Str(truncated(im.datasets().getFirst())));
            }
            b.putLast("quantize.imatrix.entries_count", GgufValue.u32(im.size()));
            if (im.chunkCount() > 0) b.putLast("quantize.imatrix.chunks_count", GgufValue.u32(im.chunkCount()));
        }
        return b.build();
    }

    private static byte[] truncated(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= MAX_KV_STRING ? b : Arrays.copyOf(b, MAX_KV_STRING);
    }
}
