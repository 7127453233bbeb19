package io.mbllm.gguf.quant;

import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

import io.mbllm.gguf.GgmlType;

/**
 * The one table of per-type behaviour (ggml's "type traits"): for every type mbllm can write or read, its
 * codec, the activation format its dot product takes, and the reference dot product. Code elsewhere asks this
 * table instead of switching on the type.
 */
public final class QuantTypes {
    private QuantTypes() {}

    /** Everything mbllm knows how to do with one type. */
    public record Traits(GgmlType type, QuantCodec codec, GgmlType vecDotType, VecDot vecDot) {}

    private static final Map<GgmlType, Traits> TABLE = new EnumMap<>(GgmlType.class);

    private static void add(QuantCodec codec, GgmlType vecDotType, VecDot vecDot) {
        TABLE.put(codec.type(), new Traits(codec.type(), codec, vecDotType, vecDot));
    }

    static {
        // --- float and legacy block types (F32, F16, BF16, Q8_0, Q8_1, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL) ---
        add(new F32Codec(), GgmlType.F32, F32Codec::dot);
        add(new F16Codec(), GgmlType.F16, F16Codec::dot);
        add(new BF16Codec(), GgmlType.BF16, BF16Codec::dot);
        add(new Q8_0Codec(), GgmlType.Q8_0, Q8_0Codec::dot);
        add(new Q8_1Codec(), GgmlType.Q8_1, Q8_1Codec::dot); // activation format: its VecDot throws
        add(new Q4_0Codec(), GgmlType.Q8_0, Q4_0Codec::dot);
        add(new Q4_1Codec(), GgmlType.Q8_1, Q4_1Codec::dot);
        add(new Q5_0Codec(), GgmlType.Q8_0, Q5_0Codec::dot);
        add(new Q5_1Codec(), GgmlType.Q8_1, Q5_1Codec::dot);
        add(new IQ4_NLCodec(), GgmlType.Q8_0, IQ4_NLCodec::dot);

        // --- K-quants (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K) ---
        add(new Q2KCodec(), GgmlType.Q8_K, Q2KCodec::vecDot);
        add(new Q3KCodec(), GgmlType.Q8_K, Q3KCodec::vecDot);
        add(new Q4KCodec(), GgmlType.Q8_K, Q4KCodec::vecDot);
        add(new Q5KCodec(), GgmlType.Q8_K, Q5KCodec::vecDot);
        add(new Q6KCodec(), GgmlType.Q8_K, Q6KCodec::vecDot);
        add(new Q8KCodec(), GgmlType.Q8_K, null); // activation format: no dot product of its own

    }

    /** The traits of a type, or empty when mbllm cannot quantize/dequantize it. */
    public static Optional<Traits> find(GgmlType type) {
        return Optional.ofNullable(TABLE.get(type));
    }

    /** The traits of a type; throws {@link UnsupportedOperationException} naming it when unsupported. */
    public static Traits of(GgmlType type) {
        Traits t = TABLE.get(type);
        if (t == null) throw new UnsupportedOperationException("mbllm has no codec for ggml type " + type.ggmlName());
        return t;
    }

    /** The codec of a type (see {@link #of}). */
    public static QuantCodec codec(GgmlType type) {
        return of(type).codec();
    }
}
