package io.mbllm.gguf.mix;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import io.mbllm.gguf.GgmlType;

/**
 * llama.cpp's {@code llama_ftype}: the file-level quantization type written to {@code general.file_type}
 * ({@code shared/docs/gguf.md} §3) with the default ggml type each one quantizes weights to
 * ({@code shared/docs/quantization.md} §6.2).
 *
 * <p>Only the ftypes for which {@link #hasMixRules()} is true get llama.cpp's per-tensor mix rules in mbllm; the
 * others (IQ*, TQ*, MXFP4_MOE, ...) are listed so that files carrying them can be named.
 */
public enum FileType {
    F32(0, "F32", GgmlType.F32, true),
    F16(1, "F16", GgmlType.F16, true),
    Q4_0(2, "Q4_0", GgmlType.Q4_0, true),
    Q4_1(3, "Q4_1", GgmlType.Q4_1, true),
    Q8_0(7, "Q8_0", GgmlType.Q8_0, true),
    Q5_0(8, "Q5_0", GgmlType.Q5_0, true),
    Q5_1(9, "Q5_1", GgmlType.Q5_1, true),
    Q2_K(10, "Q2_K", GgmlType.Q2_K, true),
    Q3_K_S(11, "Q3_K_S", GgmlType.Q3_K, true),
    Q3_K_M(12, "Q3_K_M", GgmlType.Q3_K, true),
    Q3_K_L(13, "Q3_K_L", GgmlType.Q3_K, true),
    Q4_K_S(14, "Q4_K_S", GgmlType.Q4_K, true),
    Q4_K_M(15, "Q4_K_M", GgmlType.Q4_K, true),
    Q5_K_S(16, "Q5_K_S", GgmlType.Q5_K, true),
    Q5_K_M(17, "Q5_K_M", GgmlType.Q5_K, true),
    Q6_K(18, "Q6_K", GgmlType.Q6_K, true),
    IQ2_XXS(19, "IQ2_XXS", GgmlType.IQ2_XXS, false),
    IQ2_XS(20, "IQ2_XS", GgmlType.IQ2_XS, false),
    Q2_K_S(21, "Q2_K_S", GgmlType.Q2_K, true),
    IQ3_XS(22, "IQ3_XS", GgmlType.IQ3_S, false),
    IQ3_XXS(23, "IQ3_XXS", GgmlType.IQ3_XXS, false),
    IQ1_S(24, "IQ1_S", GgmlType.IQ1_S, false),
    IQ4_NL(25, "IQ4_NL", GgmlType.IQ4_NL, false),
    IQ3_S(26, "IQ3_S", GgmlType.IQ3_S, false),
    IQ3_M(27, "IQ3_M", GgmlType.IQ3_S, false),
    IQ2_S(28, "IQ2_S", GgmlType.IQ2_XS, false),
    IQ2_M(29, "IQ2_M", GgmlType.IQ2_S, false),
    IQ4_XS(30, "IQ4_XS", GgmlType.IQ4_XS, false),
    IQ1_M(31, "IQ1_M", GgmlType.IQ1_M, false),
    BF16(32, "BF16", GgmlType.BF16, true),
    TQ1_0(36, "TQ1_0", GgmlType.TQ1_0, false),
    TQ2_0(37, "TQ2_0", GgmlType.TQ2_0, false),
    MXFP4_MOE(38, "MXFP4_MOE", GgmlType.MXFP4, false);

    private final int id;
    private final String displayName;
    private final GgmlType defaultType;
    private final boolean mixRules;

    FileType(int id, String displayName, GgmlType defaultType, boolean mixRules) {
        this.id = id;
        this.displayName = displayName;
        this.defaultType = defaultType;
        this.mixRules = mixRules;
    }

    /** The numeric {@code llama_ftype} id written to {@code general.file_type}. */
    public int id() { return id; }

    /** llama.cpp's spelling ({@code Q4_K_M}). */
    public String displayName() { return displayName; }

    /** The ggml type weights get before the per-tensor rules. */
    public GgmlType defaultType() { return defaultType; }

    /** True when mbllm implements llama.cpp's per-tensor mix rules for this ftype (the 18 non-IQ ftypes). */
    public boolean hasMixRules() { return mixRules; }

    /** The ftype with this id, or {@code null}. */
    public static FileType byId(int id) {
        for (FileType t : values()) if (t.id == id) return t;
        return null;
    }

    /**
     * Parses a user spelling: the name in any case ({@code q4_k_m}, {@code Q4_K_M}) or the numeric id
     * ({@code 15}).
     *
     * @throws IllegalArgumentException naming the valid spellings when nothing matches
     */
    public static FileType parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("empty quantization type; valid: " + validNames());
        String s = text.strip();
        if (s.chars().allMatch(Character::isDigit) && s.length() <= 9) {
            FileType t = byId(Integer.parseInt(s));
            if (t != null) return t;
        } else {
            String up = s.toUpperCase(Locale.ROOT);
            for (FileType t : values()) if (t.displayName.equals(up)) return t;
        }
        throw new IllegalArgumentException("unknown quantization type '" + s + "'; valid: " + validNames());
    }

    /** The ftypes mbllm can produce with llama.cpp's mix rules, in id order, as {@code NAME(id)}. */
    public static String validNames() {
        return mixable().stream().map(t -> t.displayName + "(" + t.id + ")").collect(Collectors.joining(", "));
    }

    /** The ftypes with mix rules, in id order. */
    public static List<FileType> mixable() {
        return Arrays.stream(values()).filter(FileType::hasMixRules).toList();
    }
}
