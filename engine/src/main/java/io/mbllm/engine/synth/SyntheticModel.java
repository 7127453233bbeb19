package io.mbllm.engine.synth;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;

/**
 * A synthetic random-weight model exactly as {@code gen_synth_gguf.py} writes it with gguf-py: the same KVs
 * in the same order and types, tokenizer keys copied from a vocab GGUF, the same tensors in the same order,
 * F16 weights from {@link NormalF16}, F32 norms of 1.0 and LayerNorm biases of 0.0.
 *
 * <pre>{@code
 * SyntheticModel m = SyntheticModel.of(SynthShape.LLAMA_1B, 42, Path.of("vocab-llama3.gguf"));
 * SyntheticModel.Written w = m.write(Path.of("llama-1b-F16.gguf"), 2);   // w.sha256() of the whole file
 * }</pre>
 *
 * <p>Writing streams: worker threads fill chunks of {@value #CHUNK_ELEMENTS} elements in a small ring of
 * buffers, and the calling thread writes them in order, so memory stays flat whatever the model size.
 */
public final class SyntheticModel {
    /** Elements per generated chunk. */
    public static final int CHUNK_ELEMENTS = 1 << 20;

    private static final ValueLayout.OfInt F32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final List<String> CUT_KEYS =
            List.of("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.scores");

    private final SynthShape shape;
    private final long seed;
    private final GgufMetadata metadata;
    private final List<SynthTensor> tensors;

    private SyntheticModel(SynthShape shape, long seed, GgufMetadata metadata, List<SynthTensor> tensors) {
        this.shape = shape;
        this.seed = seed;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** The model of {@code shape} with weights from {@code seed} and the tokenizer of {@code vocabFile}. */
    public static SyntheticModel of(SynthShape shape, long seed, Path vocabFile) throws IOException {
        try (GgufFile vocab = GgufFile.open(vocabFile)) {
            return of(shape, seed, vocab);
        }
    }

    /** The model of {@code shape} with weights from {@code seed} and the tokenizer keys of {@code vocab}. */
    public static SyntheticModel of(SynthShape shape, long seed, GgufFile vocab) throws SynthException {
        return new SyntheticModel(shape, seed, metadata(shape, seed, vocab.metadata()), plan(shape));
    }

    /** The shape. */
    public SynthShape shape() { return shape; }

    /** The seed. */
    public long seed() { return seed; }

    /** The metadata as it is written. */
    public GgufMetadata metadata() { return metadata; }

    /** The tensors in file order. */
    public List<SynthTensor> tensors() { return tensors; }

    /** Result of {@link #write}: the file, the SHA-256 of its bytes (computed while writing), size and time. */
    public record Written(Path path, String sha256, long bytes, Duration elapsed) {}

    /** Receives generated tensor bytes, in file order. */
    @FunctionalInterface
    public interface ChunkSink {
        /** The next bytes (valid only during the call). */
        void accept(MemorySegment bytes) throws IOException;
    }

    /**
     * Writes the model to {@code out} (atomically: a temporary file renamed when complete) using
     * {@code threads} generator threads.
     *
     * @throws InterruptedException when interrupted (nothing is left behind)
     */
    public Written write(Path out, int threads) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        MessageDigest sha = sha256();
        long size;
        try (GgufWriter w = GgufWriter.builder().metadata(metadata)
                .addTensors(tensors.stream().map(SynthTensor::info).toList()).digest(sha).open(out)) {
            stream(tensors, seed, threads, w::write);
            w.finish();
        }
        size = Files.size(out);
        return new Written(out, HexFormat.of().formatHex(sha.digest()), size, Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * Generates the bytes of {@code list} (each tensor's raw data, no padding) in order into {@code sink},
     * with {@code threads} worker threads.
     */
    public static void stream(List<SynthTensor> list, long seed, int threads, ChunkSink sink)
            throws IOException, InterruptedException {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1: " + threads);
        int window = 2 * threads;
        MemorySegment[] buffers = new MemorySegment[window];
        for (int i = 0; i < window; i++) buffers[i] = MemorySegment.ofArray(new byte[CHUNK_ELEMENTS * 4]);
        ArrayDeque<Integer> free = new ArrayDeque<>();
        for (int i = 0; i < window; i++) free.push(i);
        record Pending(Future<?> done, int buffer, long bytes) {}
        ArrayDeque<Pending> queue = new ArrayDeque<>();
        AtomicInteger ids = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "synth-gen-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            int ti = 0;
            long next = 0;
            while (true) {
                while (!free.isEmpty() && ti < list.size()) {
                    SynthTensor t = list.get(ti);
                    long n = t.elementCount();
                    int count = (int) Math.min(CHUNK_ELEMENTS, n - next);
                    int b = free.pop();
                    long first = next;
                    MemorySegment dst = buffers[b];
                    long key = NormalF16.key(seed, t.name());
                    queue.add(new Pending(pool.submit(() -> fill(t.fill(), key, first, count, dst)), b,
                            (long) count * t.fill().type().typeSize()));
                    next += count;
                    if (next >= n) {
                        ti++;
                        next = 0;
                    }
                }
                Pending p = queue.poll();
                if (p == null) break;
                try {
                    p.done().get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("generator thread failed", e.getCause());
                }
                sink.accept(buffers[p.buffer()].asSlice(0, p.bytes()));
                free.push(p.buffer());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void fill(SynthTensor.Fill fill, long key, long first, int count, MemorySegment dst) {
        switch (fill) {
            case NORMAL -> NormalF16.fill(key, first, count, dst);
            case ONES -> {
                for (int k = 0; k < count; k++) dst.set(F32_LE, 4L * k, Float.floatToRawIntBits(1.0f));
            }
            case ZEROS -> dst.asSlice(0, 4L * count).fill((byte) 0);
        }
    }

    /** The tensors of {@code shape} in file order (the script's {@code tensor_plan}). */
    public static List<SynthTensor> plan(SynthShape s) {
        long e = s.nEmbd(), f = s.nFf(), v = s.nVocab();
        long kv = (long) s.headDim() * s.nHeadKv();
        List<SynthTensor> t = new ArrayList<>();
        t.add(normal("token_embd.weight", e, v));
        for (int il = 0; il < s.nLayer(); il++) {
            String b = "blk." + il + ".";
            t.add(new SynthTensor(b + "attn_norm.weight", new long[] {e}, SynthTensor.Fill.ONES));
            if (s.layerNorm()) t.add(new SynthTensor(b + "attn_norm.bias", new long[] {e}, SynthTensor.Fill.ZEROS));
            t.add(normal(b + "attn_q.weight", e, e));
            t.add(normal(b + "attn_k.weight", e, kv));
            t.add(normal(b + "attn_v.weight", e, kv));
            t.add(normal(b + "attn_output.weight", e, e));
            t.add(new SynthTensor(b + "ffn_norm.weight", new long[] {e}, SynthTensor.Fill.ONES));
            if (s.layerNorm()) t.add(new SynthTensor(b + "ffn_norm.bias", new long[] {e}, SynthTensor.Fill.ZEROS));
            t.add(normal(b + "ffn_gate.weight", e, f));
            t.add(normal(b + "ffn_up.weight", e, f));
            t.add(normal(b + "ffn_down.weight", f, e));
        }
        t.add(new SynthTensor("output_norm.weight", new long[] {e}, SynthTensor.Fill.ONES));
        if (s.layerNorm()) t.add(new SynthTensor("output_norm.bias", new long[] {e}, SynthTensor.Fill.ZEROS));
        if (!s.tied()) t.add(normal("output.weight", e, v));
        return List.copyOf(t);
    }

    private static SynthTensor normal(String name, long ne0, long ne1) {
        return new SynthTensor(name, new long[] {ne0, ne1}, SynthTensor.Fill.NORMAL);
    }

    /** The KVs in the order gguf-py writes them for the script. */
    static GgufMetadata metadata(SynthShape s, long seed, GgufMetadata vocab) throws SynthException {
        String a = s.arch();
        GgufMetadata.Builder m = GgufMetadata.builder()
                .put("general.architecture", a)
                .put("general.name", "synthetic-" + s.name() + "-seed" + seed)
                .put("general.description", "random N(0,0.02) weights, splitmix64/Box-Muller, seed " + seed
                        + "; see gen_synth_gguf.py")
                .put(a + ".context_length", GgufValue.u32(s.nCtx()))
                .put(a + ".embedding_length", GgufValue.u32(s.nEmbd()))
                .put(a + ".block_count", GgufValue.u32(s.nLayer()))
                .put(a + ".feed_forward_length", GgufValue.u32(s.nFf()))
                .put(a + ".attention.head_count", GgufValue.u32(s.nHead()))
                .put(a + ".attention.head_count_kv", GgufValue.u32(s.nHeadKv()))
                .put(a + ".rope.dimension_count", GgufValue.u32(s.nRot()))
                .put(a + ".rope.freq_base", GgufValue.f32(s.ropeTheta()));
        if (s.layerNorm()) {
            m.put(a + ".attention.layer_norm_epsilon", GgufValue.f32(s.normEps()))
             .put(a + ".use_parallel_residual", GgufValue.bool(false));
        } else {
            m.put(a + ".attention.layer_norm_rms_epsilon", GgufValue.f32(s.normEps()))
             .put(a + ".vocab_size", GgufValue.u32(s.nVocab()));
        }
        m.put("general.file_type", GgufValue.u32(1)); // LlamaFileType.MOSTLY_F16
        int copied = 0;
        for (var e : vocab.asMap().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith("tokenizer.")) continue;
            GgufValue val = e.getValue();
            if (CUT_KEYS.contains(key)) val = cut(key, val, s.nVocab());
            m.put(key, val);
            copied++;
        }
        if (copied == 0 || !vocab.contains("tokenizer.ggml.tokens")) {
            throw new SynthException("vocab file has no tokenizer.ggml.tokens (" + copied + " tokenizer keys)");
        }
        return m.build();
    }

    private static GgufValue cut(String key, GgufValue val, int n) throws SynthException {
        if (!(val instanceof GgufValue.Array arr)) throw new SynthException(key + " is not an array: " + val.type());
        if (arr.size() < n) throw new SynthException(key + ": vocab file has " + arr.size() + " < " + n + " entries");
        return switch (arr) {
            case GgufValue.StringArray sa -> {
                int[] ends = Arrays.copyOf(sa.ends(), n);
                yield new GgufValue.StringArray(Arrays.copyOf(sa.blob(), n == 0 ? 0 : ends[n - 1]), ends);
            }
            case GgufValue.NumericArray na ->
                    new GgufValue.NumericArray(na.elementType(), Arrays.copyOf(na.raw(), n * na.elementType().fixedSize()));
            case GgufValue.NestedArray ignored -> throw new SynthException(key + " is a nested array");
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
