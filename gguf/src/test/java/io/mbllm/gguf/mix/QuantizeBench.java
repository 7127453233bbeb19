package io.mbllm.gguf.mix;

import io.mbllm.testkit.SplitMix64;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.quant.Half;

/**
 * Quantization throughput benchmark (a main, not a unit test). It creates once, cached as
 * {@code ~/.cache/mbllm/bench-llama-3.2-1b-shapes-f16.gguf}, a synthetic F16 model with Llama-3.2-1B's shapes
 * (n_embd 2048, n_ff 8192, 16 layers, 32 heads / 8 KV heads, vocab 128256, tied embeddings, ~1.24B parameters,
 * ~2.5 GB; deterministic pseudo-random values written with {@link GgufWriter}), then quantizes it to each
 * requested type and prints the throughput in MB/s of F16 input.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -o -pl gguf -am test-compile
 * java --add-modules jdk.incubator.vector -Xmx1g -cp gguf/target/classes:gguf/target/test-classes \
 *      io.mbllm.gguf.mix.QuantizeBench [--threads N] [FTYPE ...]     (default: --threads 2 Q4_K_M Q2_K)
 * </pre>
 * The same file works with the CLI: {@code bin/mbllm quantize ~/.cache/mbllm/bench-llama-3.2-1b-shapes-f16.gguf
 * /tmp/out.gguf Q4_K_M --threads 2} (its summary prints the same throughput figure).
 */
public final class QuantizeBench {
    private QuantizeBench() {}

    static final int N_EMBD = 2048, N_FF = 8192, N_LAYER = 16, N_HEAD = 32, N_HEAD_KV = 8, N_VOCAB = 128256;
    static final int HEAD_DIM = N_EMBD / N_HEAD;

    public static void main(String[] args) throws Exception {
        int threads = 2;
        List<FileType> types = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--threads")) threads = Integer.parseInt(args[++i]);
            else types.add(FileType.parse(args[i]));
        }
        if (types.isEmpty()) types = List.of(FileType.Q4_K_M, FileType.Q2_K);
        Path dir = Path.of(System.getProperty("user.home"), ".cache", "mbllm");
        Files.createDirectories(dir);
        Path model = dir.resolve("bench-llama-3.2-1b-shapes-f16.gguf");
        List<TensorInfo> tensors = tensors();
        long expected = expectedSize(tensors);
        if (!Files.exists(model) || Files.size(model) != expected) {
            long t0 = System.nanoTime();
            System.out.println("creating " + model + " (" + expected / 1_000_000 + " MB) ...");
            write(model, tensors);
            System.out.printf(Locale.ROOT, "created in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        System.out.printf(Locale.ROOT, "model: %s, %d threads, %d cores, max heap %d MB%n", model, threads,
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        for (FileType ft : types) {
            Path out = dir.resolve("bench-out-" + ft.displayName() + ".gguf");
            int[] lastDecile = {-1};
            ModelQuantizer.Result r = ModelQuantizer.quantize(model, out, QuantizeOptions.of(ft).withThreads(threads), p -> {
                int decile = (int) (p.bytesDone() * 10 / Math.max(1, p.bytesTotal()));
                if (decile != lastDecile[0]) {
                    lastDecile[0] = decile;
                    System.out.printf(Locale.ROOT, "  %s %3d%% %s%n", ft.displayName(), decile * 10, p.tensor());
                }
            });
            double secs = r.elapsed().toNanos() / 1e9;
            System.out.printf(Locale.ROOT, "%s: %.1f MB/s of F16 input (%.1f s, %d MB -> %d MB, %.3f bpw, peak heap %d MB)%n",
                    ft.displayName(), r.inputBytesPerSecond() / 1e6, secs, r.inputTensorBytes() / 1_000_000,
                    r.outputTensorBytes() / 1_000_000, r.bitsPerWeight(), peakHeapMb());
            Files.deleteIfExists(out);
        }
    }

    static long peakHeapMb() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) sum += p.getPeakUsage().getUsed();
        }
        return sum >> 20;
    }

    static List<TensorInfo> tensors() {
        List<TensorInfo> t = new ArrayList<>();
        t.add(TensorInfo.of("rope_freqs.weight", GgmlType.F32, HEAD_DIM / 2));
        t.add(TensorInfo.of("token_embd.weight", GgmlType.F16, N_EMBD, N_VOCAB));
        for (int i = 0; i < N_LAYER; i++) {
            String p = "blk." + i + ".";
            t.add(TensorInfo.of(p + "attn_norm.weight", GgmlType.F32, N_EMBD));
            t.add(TensorInfo.of(p + "attn_q.weight", GgmlType.F16, N_EMBD, N_HEAD * HEAD_DIM));
            t.add(TensorInfo.of(p + "attn_k.weight", GgmlType.F16, N_EMBD, N_HEAD_KV * HEAD_DIM));
            t.add(TensorInfo.of(p + "attn_v.weight", GgmlType.F16, N_EMBD, N_HEAD_KV * HEAD_DIM));
            t.add(TensorInfo.of(p + "attn_output.weight", GgmlType.F16, N_HEAD * HEAD_DIM, N_EMBD));
            t.add(TensorInfo.of(p + "ffn_norm.weight", GgmlType.F32, N_EMBD));
            t.add(TensorInfo.of(p + "ffn_gate.weight", GgmlType.F16, N_EMBD, N_FF));
            t.add(TensorInfo.of(p + "ffn_up.weight", GgmlType.F16, N_EMBD, N_FF));
            t.add(TensorInfo.of(p + "ffn_down.weight", GgmlType.F16, N_FF, N_EMBD));
        }
        t.add(TensorInfo.of("output_norm.weight", GgmlType.F32, N_EMBD));
        return t;
    }

    static GgufMetadata metadata() {
        return GgufMetadata.builder()
                .put("general.architecture", "llama")
                .put("general.name", "bench-llama-3.2-1b-shapes")
                .put("llama.block_count", GgufValue.u32(N_LAYER))
                .put("llama.context_length", GgufValue.u32(131072))
                .put("llama.embedding_length", GgufValue.u32(N_EMBD))
                .put("llama.feed_forward_length", GgufValue.u32(N_FF))
                .put("llama.attention.head_count", GgufValue.u32(N_HEAD))
                .put("llama.attention.head_count_kv", GgufValue.u32(N_HEAD_KV))
                .put("llama.rope.freq_base", GgufValue.f32(500000f))
                .put("llama.attention.layer_norm_rms_epsilon", GgufValue.f32(1e-5f))
                .put("llama.rope.dimension_count", GgufValue.u32(HEAD_DIM))
                .put("llama.vocab_size", GgufValue.u32(N_VOCAB))
                .put("general.file_type", GgufValue.u32(1))
                .build();
    }

    static long expectedSize(List<TensorInfo> ts) throws IOException {
        Path probe = Files.createTempFile("bench-probe", ".gguf");
        try (GgufWriter w = GgufWriter.builder().metadata(metadata()).addTensors(ts).open(probe)) {
            long end = w.dataOffset();
            for (TensorInfo t : w.tensors()) end = Math.max(end, w.dataOffset() + t.offset() + (t.byteSize() + 31) / 32 * 32);
            return end;
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** Streams the model: values from splitmix64 (seed = tensor index), two 16-bit draws summed (triangular). */
    static void write(Path file, List<TensorInfo> ts) throws IOException {
        byte[] buf = new byte[1 << 21];
        try (GgufWriter w = GgufWriter.builder().metadata(metadata()).addTensors(ts).open(file)) {
            for (int k = 0; k < ts.size(); k++) {
                TensorInfo t = ts.get(k);
                SplitMix64 g = new SplitMix64(40000 + k);
                long n = t.elementCount();
                int esz = t.type() == GgmlType.F32 ? 4 : 2;
                long done = 0;
                while (done < n) {
                    int m = (int) Math.min(n - done, buf.length / esz);
                    for (int i = 0; i < m; i += 2) {
                        long r = g.next();
                        for (int h = 0; h < 2 && i + h < m; h++) {
                            int a = (int) (r >>> (32 * h)) & 0xFFFF;
                            int b = (int) (r >>> (32 * h + 16)) & 0xFFFF;
                            float v = (a + b - 65536) * (0.05f / 65536f);
                            int o = (i + h) * esz;
                            if (esz == 4) {
                                int bits = Float.floatToRawIntBits(1.0f + v);
                                buf[o] = (byte) bits; buf[o + 1] = (byte) (bits >> 8);
                                buf[o + 2] = (byte) (bits >> 16); buf[o + 3] = (byte) (bits >> 24);
                            } else {
                                short hb = Half.fromFloat(v);
                                buf[o] = (byte) hb; buf[o + 1] = (byte) (hb >> 8);
                            }
                        }
                    }
                    w.write(buf, 0, m * esz);
                    done += m;
                }
            }
            w.finish();
        }
    }
}
