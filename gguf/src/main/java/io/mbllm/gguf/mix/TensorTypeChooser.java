package io.mbllm.gguf.mix;

import java.util.ArrayList;
import java.util.List;

import io.mbllm.gguf.GgmlType;

/**
 * Picks the ggml type of every quantizable tensor of one model, following llama.cpp's
 * {@code llama_tensor_get_type} ({@code shared/docs/quantization.md} §6.2–6.4). It is stateful like llama.cpp:
 * the attn_v and ffn_down counters advance as tensors are {@link #choose chosen}, so tensors must be presented
 * in {@link MixRules#PROCESSING_ORDER processing order}, each once.
 *
 * <p>Order of decisions: the default type of the ftype; then, unless {@code pure} or the default is a float
 * type, the per-category rules (with the output/token-embedding overrides taking the place of the rules for
 * those tensors); finally the row-length fallback for any block-quantized choice.
 */
public final class TensorTypeChooser {
    /** One decision: the tensor and the type it gets. */
    public record Choice(TensorShape tensor, GgmlType type) {}

    private final ModelFacts facts;
    private final MixOptions options;
    private final FileType ftype;
    private final int nAttnV;
    private final int nFfnDown;
    private int iAttnV;
    private int iFfnDown;

    /**
     * @param nAttnV number of V-like tensors ({@link TensorCategory#isVLike}) in the model
     * @throws IllegalArgumentException when the ftype has no mix rules in mbllm (IQ*, TQ*, MXFP4_MOE) and rules
     *                                  are not skipped, or the model is a mixture of experts
     */
    public TensorTypeChooser(ModelFacts facts, MixOptions options, int nAttnV) {
        this.facts = facts;
        this.options = options;
        this.ftype = options.ftype();
        this.nAttnV = nAttnV;
        this.nFfnDown = facts.nLayer();
        if (!options.pure() && !ftype.hasMixRules()) {
            throw new IllegalArgumentException("the llama.cpp mix rules for " + ftype.displayName()
                    + " are not implemented; use --pure or one of: " + FileType.validNames());
        }
        if (!options.pure() && facts.nExpert() > 1 && ftype.defaultType().isQuantized()) {
            throw new IllegalArgumentException("mixture-of-experts models (" + facts.nExpert()
                    + " experts) are not supported by the mix rules; use --pure");
        }
    }

    /** Chooses the types of all given tensors, which must be quantizable and in processing order. */
    public static List<Choice> plan(ModelFacts facts, MixOptions options, List<TensorShape> tensorsInOrder) {
        int nV = 0;
        for (TensorShape t : tensorsInOrder) if (TensorCategory.isVLike(t.name())) nV++;
        TensorTypeChooser chooser = new TensorTypeChooser(facts, options, nV);
        List<Choice> out = new ArrayList<>(tensorsInOrder.size());
        for (TensorShape t : tensorsInOrder) out.add(new Choice(t, chooser.choose(t)));
        return out;
    }

    /** The type of the next quantizable tensor. */
    public GgmlType choose(TensorShape tensor) {
        String name = tensor.name();
        long ne0 = tensor.ne(0);
        GgmlType type = ftype.defaultType();
        TensorCategory cat = TensorCategory.of(name);
        boolean outputLike = cat == TensorCategory.OUTPUT || (cat == TensorCategory.TOKEN_EMBD && facts.tied()
                && options.tokenEmbeddingType() == null);
        if (!options.pure() && type.isQuantized()) {
            type = ruleFor(cat, outputLike, ne0, type);
        } else if (outputLike && options.outputTensorType() != null) {
            type = options.outputTensorType();
        } else if (cat == TensorCategory.TOKEN_EMBD && options.tokenEmbeddingType() != null) {
            type = options.tokenEmbeddingType();
        }
        return type.isQuantized() ? MixRules.fallback(type, ne0) : type;
    }

    private GgmlType ruleFor(TensorCategory cat, boolean outputLike, long ne0, GgmlType t) {
        if (outputLike) {
            if (options.outputTensorType() != null) return options.outputTensorType();
            if (facts.isFalcon() || ne0 % t.blockSize() != 0) return GgmlType.Q8_0;
            return t != GgmlType.Q8_0 ? GgmlType.Q6_K : t;
        }
        return switch (cat) {
            case TOKEN_EMBD -> options.tokenEmbeddingType() != null ? options.tokenEmbeddingType() : t;
            case ATTN_V -> attnV(t);
            case FFN_DOWN -> ffnDown(t);
            case ATTN_OUTPUT -> attnOutput(t);
            default -> t; // attn_q, attn_k, ffn_gate, ffn_up: only the IQ ftypes and MoE models change them
        };
    }

    private GgmlType attnV(GgmlType t) {
        int i = iAttnV++;
        switch (ftype) {
            case Q2_K -> t = facts.nGqa() >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            case Q2_K_S -> { if (facts.nGqa() >= 4) t = GgmlType.Q4_K; }
            case Q3_K_M -> t = i < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            case Q3_K_L -> t = GgmlType.Q5_K;
            case Q4_K_M, Q5_K_M -> { if (MixRules.moreBits(i, nAttnV)) t = GgmlType.Q6_K; }
            case Q4_K_S -> { if (i < 4) t = GgmlType.Q5_K; }
            default -> { }
        }
        if (facts.is70B() && (t == GgmlType.Q3_K || t == GgmlType.Q4_K)) t = GgmlType.Q5_K;
        return t;
    }

    private GgmlType ffnDown(GgmlType t) {
        int i = iFfnDown++;
        int n = nFfnDown;
        boolean falcon = facts.isFalcon();
        return switch (ftype) {
            case Q2_K -> GgmlType.Q3_K;
            case Q2_K_S -> i < n / 8 ? GgmlType.Q4_K : t;
            case Q3_K_M -> i < n / 16 ? GgmlType.Q5_K
                    : !falcon || MixRules.moreBits(i, n) ? GgmlType.Q4_K : GgmlType.Q3_K;
            case Q3_K_L -> falcon ? GgmlType.Q4_K : GgmlType.Q5_K;
            case Q4_K_M -> falcon
                    ? (i < n / 16 ? GgmlType.Q6_K : MixRules.moreBits(i, n) ? GgmlType.Q5_K : GgmlType.Q4_K)
                    : (MixRules.moreBits(i, n) ? GgmlType.Q6_K : t);
            case Q5_K_M -> MixRules.moreBits(i, n) ? GgmlType.Q6_K : t;
            case Q4_K_S -> !falcon && i < n / 8 ? GgmlType.Q5_K : t;
            case Q4_0 -> options.hasImatrix() && i < n / 8 ? GgmlType.Q4_1 : t;
            case Q5_0 -> options.hasImatrix() && i < n / 8 ? GgmlType.Q5_1 : t;
            default -> t;
        };
    }

    private GgmlType attnOutput(GgmlType t) {
        if (!facts.isFalcon()) {
            return switch (ftype) {
                case Q2_K -> GgmlType.Q3_K;
                case Q3_K_M -> GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                default -> t;
            };
        }
        return ftype == FileType.Q3_K_L ? GgmlType.Q4_K : t;
    }
}
