package io.mbllm.server.create;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.server.modelfile.QuantLevel;
import io.mbllm.server.store.LayerKind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What create needs to know about one GGUF file: which layer it becomes (weights, LoRA adapter, projector), the
 * architecture, the parameter count and the file type shown as {@code quantization_level}.
 *
 * @param kind           {@link LayerKind#MODEL}, {@link LayerKind#ADAPTER} or {@link LayerKind#PROJECTOR}
 * @param architecture   {@code general.architecture} ("" when absent)
 * @param parameterCount {@code general.parameter_count}, else the sum of the tensors' element counts
 * @param fileType       {@code general.file_type}; when the key is absent, inferred for float-only files (all
 *                       F32, or F32 plus F16 or BF16 weights); empty when unknown
 */
public record GgufFacts(LayerKind kind, String architecture, long parameterCount, Optional<QuantLevel> fileType) {

    /** Reads the facts of the GGUF at {@code file} (the file is opened and closed). */
    public static GgufFacts read(Path file) throws GgufFormatException, IOException {
        try (GgufFile f = GgufFile.open(file)) {
            return of(f);
        }
    }

    /** The facts of an open GGUF. */
    public static GgufFacts of(GgufFile f) throws GgufFormatException {
        GgufMetadata m = f.metadata();
        String arch = m.getString("general.architecture", "");
        String type = m.getString("general.type", "").toLowerCase(Locale.ROOT);
        LayerKind kind;
        if (type.equals("adapter")) {
            kind = LayerKind.ADAPTER;
        } else if (type.equals("mmproj") || type.equals("projector") || arch.equals("clip")) {
            kind = LayerKind.PROJECTOR;
        } else {
            kind = LayerKind.MODEL;
        }
        long params;
        if (m.contains("general.parameter_count")) {
            params = m.getLong("general.parameter_count");
        } else {
            params = 0;
            for (TensorInfo t : f.tensors()) {
                params += t.elementCount();
            }
        }
        return new GgufFacts(kind, arch, params, fileTypeOf(f));
    }

    /** {@code details.quantization_level}: the file type's name, or {@code unknown}. */
    public String quantizationLevel() {
        return fileType.map(QuantLevel::ftypeName).orElse("unknown");
    }

    /** True when the weights are F32, F16 or BF16, the only sources create quantizes. */
    public boolean isFloat() {
        return fileType.filter(t -> t == QuantLevel.F32 || t == QuantLevel.F16 || t == QuantLevel.BF16).isPresent();
    }

    static Optional<QuantLevel> fileTypeOf(GgufFile f) throws GgufFormatException {
        OptionalInt id = f.metadata().findInt("general.file_type");
        if (id.isPresent()) {
            return QuantLevel.ofFileType(id.getAsInt());
        }
        boolean f16 = false;
        boolean bf16 = false;
        for (TensorInfo t : f.tensors()) {
            GgmlType g = t.type();
            if (g == GgmlType.F16) {
                f16 = true;
            } else if (g == GgmlType.BF16) {
                bf16 = true;
            } else if (g != GgmlType.F32) {
                return Optional.empty();
            }
        }
        if (f16 && bf16) {
            return Optional.empty();
        }
        return Optional.of(f16 ? QuantLevel.F16 : bf16 ? QuantLevel.BF16 : QuantLevel.F32);
    }
}
