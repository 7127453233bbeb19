package io.mbllm.engine.lora;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.ModelSource;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeOptions;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;

/**
 * Merges LoRA adapters into a base model and writes a plain GGUF model, byte for byte as {@code llama-export-lora}
 * does it ({@code shared/testdata/lora-oracle/README.md}, "Merging"):
 * <ul>
 *   <li>merged tensor: {@code W' = W + scale·(B·A)} in float32, per element {@code acc = Σ_k fma(B[o][k], A[k][i], acc)}
 *       with k ascending, then {@code W'[o][i] = W[o][i] + acc·scale}; adapters are added one after the other in the
 *       order given. For {@code token_embd}: {@code W'[v][e] = W[v][e] + scale·Σ_k B[e][k]·A[v][k]};</li>
 *   <li>a merged F32 tensor stays F32; any other merged tensor is dequantized, merged and written as F16;
 *       tensors without an adapter are copied byte for byte;</li>
 *   <li>metadata copied in order with {@code general.file_type} set to 1 (in place, or appended when absent);</li>
 *   <li>tensors sorted by name (byte order).</li>
 * </ul>
 * Like llama-export-lora it refuses quantized adapters (only F32/F16/BF16 tensors). Unlike it, several adapters
 * need not target the same tensors (llama-export-lora refuses that and leaves an empty output file), and nothing
 * is left at the output path when a merge fails. Optionally the result is re-quantized with {@link ModelQuantizer}.
 */
public final class LoraMerger {
    private LoraMerger() {}

    /** What a merge wrote. */
    public record Result(Path output, int mergedTensors, int copiedTensors, long fileBytes) {}

    /** Merges into an F32/F16 model at {@code output} (see the class comment). */
    public static Result merge(Path base, List<ScaledLora> adapters, Path output) throws IOException, LoraException {
        try (GgufModelSource src = GgufModelSource.open(base)) {
            return merge(src, adapters, output);
        }
    }

    /**
     * Merges, then quantizes the merged model to {@code ftype} with llama.cpp's mix ({@link ModelQuantizer}) into
     * {@code output}; the unquantized merge goes to a temporary file beside it that is deleted afterwards.
     *
     * @throws io.mbllm.gguf.mix.QuantizeException when the merged model cannot be quantized as asked
     */
    public static Result mergeAndQuantize(Path base, List<ScaledLora> adapters, Path output, FileType ftype, int threads)
            throws IOException, LoraException, InterruptedException {
        Path dir = output.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + output.getFileName() + ".", ".merged.partial");
        try {
            Result r = merge(base, adapters, tmp);
            ModelQuantizer.quantize(tmp, output, QuantizeOptions.of(ftype).withThreads(threads), ModelQuantizer.ProgressListener.none());
            return new Result(output, r.mergedTensors(), r.copiedTensors(), Files.size(output));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Merges the adapters into the model of {@code base} (an open GGUF source) and writes {@code output}. */
    public static Result merge(GgufModelSource base, List<ScaledLora> adapters, Path output) throws IOException, LoraException {
        GgufFile in = base.file();
        boolean tied = base.tensor("output.weight").isEmpty();
        Map<String, List<Term>> terms = new HashMap<>();
        for (ScaledLora s : adapters) {
            LoraAdapter ad = s.adapter();
            ad.checkFits(base, tied);
            for (LoraPair p : ad.pairs()) {
                for (ModelSource.Tensor t : new ModelSource.Tensor[] {p.a(), p.b()}) {
                    if (t.type() != GgmlType.F32 && t.type() != GgmlType.F16 && t.type() != GgmlType.BF16) {
                        throw new LoraException(ad.describe() + ": quantized LoRA adapters is not supported, please retry with f16 or f32"
                                + " (tensor '" + t.name() + "' is " + t.type().ggmlName() + ")");
                    }
                }
                terms.computeIfAbsent(p.base(), k -> new ArrayList<>()).add(new Term(p, ad.scale(s.userScale(), p.rank())));
            }
        }
        for (String name : terms.keySet()) {
            GgmlType t = in.tensor(name).type();
            if (QuantTypes.find(t).isEmpty()) {
                throw new LoraException(base.describe() + ": tensor '" + name + "' has type " + t.ggmlName() + ", which mbllm cannot dequantize");
            }
        }

        GgufMetadata meta = in.metadata().toBuilder().put("general.file_type", GgufValue.u32(1)).build();
        List<TensorInfo> order = new ArrayList<>(in.tensors());
        order.sort(Comparator.comparing(t -> t.name().getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned));
        List<TensorInfo> outInfos = new ArrayList<>(order.size());
        for (TensorInfo t : order) {
            GgmlType type = terms.containsKey(t.name()) && t.type() != GgmlType.F32 ? GgmlType.F16 : t.type();
            outInfos.add(new TensorInfo(t.name(), t.ne(), type, 0).withGgmlNDims());
        }
        int merged = 0;
        try (GgufWriter w = GgufWriter.builder().metadata(meta).addTensors(outInfos).open(output)) {
            for (int i = 0; i < order.size(); i++) {
                TensorInfo t = order.get(i);
                List<Term> ts = terms.get(t.name());
                if (ts == null) {
                    w.write(in.tensorData(t));
                } else {
                    writeMerged(in, t, outInfos.get(i).type(), ts, w);
                    merged++;
                }
            }
            w.finish();
        }
        return new Result(output, merged, order.size() - merged, Files.size(output));
    }

    private record Term(LoraPair pair, float scale) {}

    /** Dequantizes W row by row, adds every term, writes the row in {@code outType}. */
    private static void writeMerged(GgufFile in, TensorInfo t, GgmlType outType, List<Term> terms, GgufWriter w) throws IOException {
        int cols = Math.toIntExact(t.ne(0));
        int rows = Math.toIntExact(t.rowCount());
        QuantCodec inCodec = QuantTypes.codec(t.type());
        QuantCodec outCodec = QuantTypes.codec(outType);
        var data = in.tensorData(t);
        long inRowBytes = t.rowBytes();
        List<float[]> as = new ArrayList<>(), bs = new ArrayList<>();
        for (Term term : terms) {
            as.add(floats(term.pair().a()));
            bs.add(floats(term.pair().b()));
        }
        float[] row = new float[cols];
        byte[] outRow = new byte[Math.toIntExact(outType.rowBytes(cols))];
        for (int o = 0; o < rows; o++) {
            inCodec.dequantizeRow(data, o * inRowBytes, row, 0, cols);
            for (int k = 0; k < terms.size(); k++) {
                Term term = terms.get(k);
                float[] a = as.get(k), b = bs.get(k);
                int r = term.pair().rank();
                float scale = term.scale();
                if (term.pair().tokenEmbedding()) {
                    // row o is token o: A[o] (r values) against B[e] (r values) for each embedding column e
                    for (int e = 0; e < cols; e++) {
                        float acc = 0f;
                        for (int j = 0; j < r; j++) acc = Math.fma(b[e * r + j], a[o * r + j], acc);
                        row[e] = row[e] + acc * scale;
                    }
                } else {
                    for (int i = 0; i < cols; i++) {
                        float acc = 0f;
                        for (int j = 0; j < r; j++) acc = Math.fma(b[o * r + j], a[j * cols + i], acc);
                        row[i] = row[i] + acc * scale;
                    }
                }
            }
            outCodec.quantizeRow(row, 0, null, 0, cols, outRow, 0);
            w.write(outRow);
        }
    }

    /** All values of a 2-D adapter tensor, row-major (rows of ne0). */
    private static float[] floats(ModelSource.Tensor t) {
        int cols = Math.toIntExact(t.dim(0)), rows = Math.toIntExact(t.dim(1));
        float[] out = new float[Math.multiplyExact(cols, rows)];
        QuantCodec c = QuantTypes.codec(t.type());
        long rb = t.type().rowBytes(cols);
        for (int r = 0; r < rows; r++) c.dequantizeRow(t.data(), r * rb, out, r * cols, cols);
        return out;
    }
}
