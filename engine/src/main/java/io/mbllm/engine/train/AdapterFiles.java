package io.mbllm.engine.train;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.model.MetaValue;
import io.mbllm.engine.model.ModelSource;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;

/**
 * Writes a trained adapter as a GGUF LoRA adapter in llama.cpp's format (the layout of gguf-py's
 * {@code GGUFWriter}: keys {@code general.architecture}, {@code general.type = adapter}, {@code adapter.type = lora},
 * {@code general.name}, {@code adapter.lora.alpha} (f32), {@code general.quantization_version} (u32 2), 32-byte
 * alignment; F32 tensors {@code <base>.lora_a} (ne [n_in, r]) and {@code <base>.lora_b} (ne [r, n_out]) in
 * {@link LoraLayout} order), and writes and reads training checkpoints: the same tensors plus AdamW's moments
 * ({@code train.adam_m}, {@code train.adam_v}, 1-D F32) and the step count, with
 * {@code general.type = mbllm-lora-checkpoint} so that nothing mistakes one for an adapter. Files appear
 * atomically (written to a temporary file, then moved).
 */
public final class AdapterFiles {
    static final String CHECKPOINT_TYPE = "mbllm-lora-checkpoint";
    private static final String M = "train.adam_m", V = "train.adam_v";

    private AdapterFiles() {}

    /** Writes the adapter of {@code st} to {@code out}. */
    public static void writeAdapter(Path out, String architecture, String name, TrainState st) throws IOException {
        writeAdapter(out, architecture, name, st, GgmlType.F32);
    }

    /**
     * Writes the adapter of {@code st} to {@code out} with its tensors in {@code type}: F32, or F16 (half the size;
     * llama.cpp multiplies with F16 LoRA tensors too; values rounded to nearest even, as ggml's F16 conversion).
     *
     * @throws IllegalArgumentException when {@code type} is neither F32 nor F16
     */
    public static void writeAdapter(Path out, String architecture, String name, TrainState st, GgmlType type) throws IOException {
        if (type != GgmlType.F32 && type != GgmlType.F16) {
            throw new IllegalArgumentException("adapter tensors can be F32 or F16, not " + type.ggmlName());
        }
        write(out, adapterMetadata(architecture, name, st.alpha()).build(), st, false, type);
    }

    /** Writes a checkpoint of {@code st} (parameters, moments, step) to {@code out}. */
    public static void writeCheckpoint(Path out, String architecture, TrainState st) throws IOException {
        GgufMetadata meta = adapterMetadata(architecture, "checkpoint", st.alpha())
                .put("general.type", CHECKPOINT_TYPE)
                .put("train.step", GgufValue.u32(st.step()))
                .put("train.rank", GgufValue.u32(st.layout().rank()))
                .build();
        write(out, meta, st, true, GgmlType.F32);
    }

    private static GgufMetadata.Builder adapterMetadata(String architecture, String name, float alpha) {
        return GgufMetadata.builder()
                .put("general.architecture", architecture)
                .put("general.type", "adapter")
                .put("adapter.type", "lora")
                .put("general.name", name)
                .put("adapter.lora.alpha", GgufValue.f32(alpha))
                .put("general.quantization_version", GgufValue.u32(2));
    }

    private static void write(Path out, GgufMetadata meta, TrainState st, boolean moments, GgmlType type) throws IOException {
        LoraLayout layout = st.layout();
        int r = layout.rank();
        List<TensorInfo> infos = new ArrayList<>();
        List<int[]> ranges = new ArrayList<>(); // {array, offset, count}: 0 params, 1 m, 2 v
        for (LoraLayout.Slot s : layout.slots()) {
            infos.add(TensorInfo.of(s.baseName() + ".lora_a", type, s.nIn(), r));
            ranges.add(new int[] {0, s.aOffset(), r * s.nIn()});
            infos.add(TensorInfo.of(s.baseName() + ".lora_b", type, r, s.nOut()));
            ranges.add(new int[] {0, s.bOffset(), r * s.nOut()});
        }
        if (moments) {
            infos.add(TensorInfo.of(M, GgmlType.F32, layout.size()));
            ranges.add(new int[] {1, 0, layout.size()});
            infos.add(TensorInfo.of(V, GgmlType.F32, layout.size()));
            ranges.add(new int[] {2, 0, layout.size()});
        }
        Path abs = out.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null && !Files.isDirectory(dir)) throw new IOException(dir + ": no such directory");
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".partial");
        try {
            try (GgufWriter w = GgufWriter.builder().metadata(meta).addTensors(infos).open(tmp)) {
                float[][] arrays = {st.params(), st.m(), st.v()};
                for (int i = 0; i < ranges.size(); i++) {
                    int[] rg = ranges.get(i);
                    boolean half = infos.get(i).type() == GgmlType.F16;
                    ByteBuffer bb = ByteBuffer.allocate(rg[2] * (half ? 2 : 4)).order(ByteOrder.LITTLE_ENDIAN);
                    if (half) {
                        for (int j = 0; j < rg[2]; j++) bb.putShort(Float.floatToFloat16(arrays[rg[0]][rg[1] + j]));
                    } else {
                        bb.asFloatBuffer().put(arrays[rg[0]], rg[1], rg[2]);
                    }
                    w.write(bb.array());
                }
                w.finish();
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a checkpoint written by {@link #writeCheckpoint} for {@code layout}.
     *
     * @throws IllegalArgumentException when the file is not a checkpoint or was made for another layout
     */
    public static TrainState readCheckpoint(Path file, LoraLayout layout) throws IOException {
        try (GgufModelSource src = GgufModelSource.open(file)) {
            String where = src.describe() + ": ";
            Optional<MetaValue> type = src.meta("general.type");
            if (type.isEmpty() || !(type.get() instanceof MetaValue.Text tv) || !tv.value().equals(CHECKPOINT_TYPE)) {
                throw new IllegalArgumentException(where + "not an mbllm training checkpoint (general.type is not " + CHECKPOINT_TYPE + ")");
            }
            int rank = intMeta(src, "train.rank", where);
            if (rank != layout.rank()) throw new IllegalArgumentException(where + "checkpoint has rank " + rank + ", the run uses --rank " + layout.rank());
            int step = intMeta(src, "train.step", where);
            float alpha = src.meta("adapter.lora.alpha").filter(v -> v instanceof MetaValue.Num)
                    .map(v -> ((MetaValue.Num) v).value().floatValue())
                    .orElseThrow(() -> new IllegalArgumentException(where + "adapter.lora.alpha is missing"));
            float[] p = new float[layout.size()], m = new float[layout.size()], v = new float[layout.size()];
            for (LoraLayout.Slot s : layout.slots()) {
                read(src, s.baseName() + ".lora_a", new long[] {s.nIn(), rank}, p, s.aOffset(), where);
                read(src, s.baseName() + ".lora_b", new long[] {rank, s.nOut()}, p, s.bOffset(), where);
            }
            int adapterTensors = 0;
            for (var t : src.file().tensors()) if (t.name().endsWith(".lora_a") || t.name().endsWith(".lora_b")) adapterTensors++;
            if (adapterTensors != 2 * layout.slots().size()) {
                throw new IllegalArgumentException(where + "checkpoint adapts " + adapterTensors / 2 + " matrices, the run " + layout.slots().size()
                        + " (use the same --targets)");
            }
            read(src, M, new long[] {layout.size()}, m, 0, where);
            read(src, V, new long[] {layout.size()}, v, 0, where);
            return new TrainState(layout, alpha, p, m, v, step);
        }
    }

    private static int intMeta(GgufModelSource src, String key, String where) {
        return src.meta(key).filter(v -> v instanceof MetaValue.Num)
                .map(v -> ((MetaValue.Num) v).value().intValue())
                .orElseThrow(() -> new IllegalArgumentException(where + key + " is missing"));
    }

    private static void read(GgufModelSource src, String name, long[] shape, float[] out, int off, String where) {
        ModelSource.Tensor t = src.tensor(name).orElseThrow(() -> new IllegalArgumentException(where + "tensor '" + name
                + "' is missing (the checkpoint was made with other --targets or another model)"));
        if (t.type() != GgmlType.F32 || !java.util.Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(where + "tensor '" + name + "' is " + t.type().ggmlName() + " " + t.shapeString()
                    + ", expected F32 " + java.util.Arrays.toString(shape));
        }
        int n = (int) (t.data().byteSize() / 4);
        MemorySegment.copy(t.data(), ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, out, off, n);
    }
}
