package io.mbllm.engine.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;

/**
 * Writes trained adapter parameters as a GGUF LoRA adapter in llama.cpp's layout
 * ({@code shared/docs/quantization.md} §8): {@code general.type = adapter}, {@code adapter.type = lora},
 * {@code adapter.lora.alpha} (FLOAT32), and per adapted matrix {@code <base>.lora_a} with {@code ne = [n_in, r]}
 * and {@code <base>.lora_b} with {@code ne = [r, n_out]}: A is stored as r rows of n_in and B as n_out rows of r,
 * which are exactly the row-major blocks of {@link LoraLayout}. Tensors are F32 or F16 (llama.cpp multiplies with
 * both; F16 halves the file). The file appears atomically ({@link GgufWriter}).
 */
public final class AdapterWriter {
    private AdapterWriter() {}

    /** The tensor types an adapter may be written in. */
    public static boolean writable(GgmlType type) {
        return type == GgmlType.F32 || type == GgmlType.F16;
    }

    /**
     * Writes {@code params} (in {@code layout} order) with {@code alpha} for a base model of architecture
     * {@code arch}; returns the file size in bytes.
     *
     * @throws IllegalArgumentException when {@code type} is neither F32 nor F16
     */
    public static long write(Path target, LoraLayout layout, float[] params, float alpha, String arch, String name,
                             GgmlType type) throws IOException {
        if (!writable(type)) throw new IllegalArgumentException("adapter tensors can be F32 or F16, not " + type.ggmlName());
        GgufMetadata meta = GgufMetadata.builder()
                .put("general.architecture", arch)
                .put("general.type", "adapter")
                .put("general.name", name)
                .put("adapter.type", "lora")
                .put("adapter.lora.alpha", GgufValue.f32(alpha))
                .build();
        int r = layout.rank();
        List<TensorInfo> infos = new ArrayList<>(2 * layout.slots().size());
        for (LoraLayout.Slot s : layout.slots()) {
            infos.add(TensorInfo.of(s.baseName() + ".lora_a", type, s.nIn(), r));
            infos.add(TensorInfo.of(s.baseName() + ".lora_b", type, r, s.nOut()));
        }
        QuantCodec codec = QuantTypes.codec(type);
        try (GgufWriter w = GgufWriter.builder().metadata(meta).addTensors(infos).open(target)) {
            for (LoraLayout.Slot s : layout.slots()) {
                writeRows(w, codec, type, params, s.aOffset(), r, s.nIn());
                writeRows(w, codec, type, params, s.bOffset(), s.nOut(), r);
            }
            w.finish();
        }
        return java.nio.file.Files.size(target);
    }

    private static void writeRows(GgufWriter w, QuantCodec codec, GgmlType type, float[] v, int off, int rows, int cols)
            throws IOException {
        byte[] row = new byte[Math.toIntExact(type.rowBytes(cols))];
        for (int i = 0; i < rows; i++) {
            codec.quantizeRow(v, off + i * cols, null, 0, cols, row, 0);
            w.write(row);
        }
    }
}
