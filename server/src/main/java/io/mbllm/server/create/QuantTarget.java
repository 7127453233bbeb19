package io.mbllm.server.create;

import io.mbllm.gguf.mix.FileType;
import io.mbllm.server.modelfile.QuantLevel;
import io.mbllm.server.modelfile.UnsupportedQuantizationException;
import io.mbllm.server.store.ModelName;
import java.util.Optional;

/**
 * The level a create quantizes to: the request's {@code quantize} (Ollama's accepted names, modelfile.md §6), or,
 * when none is given, the level the target tag names (mbllm's shorthand: {@code rocket-3b:q4} → Q4_K_M,
 * {@code :q2} → Q2_K, {@code :8b-q8_0} → Q8_0).
 *
 * @param level   the target level
 * @param fromTag true when taken from the tag rather than the request
 */
public record QuantTarget(QuantLevel level, boolean fromTag) {

    /**
     * The target of a create of {@code name} with request field {@code quantize} ("" when absent), if any.
     *
     * @throws CreateException 400 {@code unsupported quantization type X - supported types are ...}
     */
    public static Optional<QuantTarget> resolve(String quantize, ModelName name) throws CreateException {
        if (!quantize.isEmpty()) {
            try {
                return Optional.of(new QuantTarget(QuantLevel.parseForCreate(quantize), false));
            } catch (UnsupportedQuantizationException e) {
                throw CreateException.badRequest(e.getMessage());
            }
        }
        return QuantLevel.fromTag(name.tag()).map(l -> new QuantTarget(l, true));
    }

    /**
     * What to do with a source of file type {@code source}: empty when it already is the target (a no-op),
     * else the quantizer's file type.
     *
     * @throws CreateException 400 when the source is not F16/BF16/F32 ({@code quantization is only supported for
     *                         F16, BF16 and F32 models}) or mbllm cannot produce the level
     */
    public Optional<FileType> plan(GgufFacts source) throws CreateException {
        if (source.fileType().equals(Optional.of(level))) {
            return Optional.empty();
        }
        if (!source.isFloat()) {
            throw CreateException.badRequest("quantization is only supported for F16, BF16 and F32 models");
        }
        FileType ft;
        try {
            ft = FileType.parse(level.ftypeName());
        } catch (IllegalArgumentException e) {
            ft = null;
        }
        if (ft == null || !ft.hasMixRules()) {
            throw CreateException.badRequest("unsupported quantization type " + level.ftypeName()
                    + " - mbllm cannot quantize to this type" + (fromTag ? " (named by the tag)" : ""));
        }
        return Optional.of(ft);
    }
}
