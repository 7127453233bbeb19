package io.mbllm.server.modelfile;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * GGUF file types ({@code general.file_type}) as quantization levels (modelfile.md §6): their numeric id, the
 * upper-case name shown as {@code details.quantization_level} and used as the quantizer's ftype name, the
 * parsing of {@code create --quantize} values, and the mbllm tag shorthand ({@code rocket-3b:q4} → Q4_K_M).
 */
public enum QuantLevel {
    F32(0), F16(1), Q4_0(2), Q4_1(3), Q8_0(7), Q5_0(8), Q5_1(9), Q2_K(10), Q3_K_S(11), Q3_K_M(12), Q3_K_L(13),
    Q4_K_S(14), Q4_K_M(15), Q5_K_S(16), Q5_K_M(17), Q6_K(18), IQ2_XXS(19), IQ2_XS(20), Q2_K_S(21), IQ3_XS(22),
    IQ3_XXS(23), IQ1_S(24), IQ4_NL(25), IQ3_S(26), IQ3_M(27), IQ2_S(28), IQ2_M(29), IQ4_XS(30), IQ1_M(31),
    BF16(32), TQ1_0(36), TQ2_0(37), MXFP4_MOE(38), NVFP4(39), Q1_0(40);

    /** The levels Ollama's {@code create} quantizes to (BF16 parses there but is not listed). */
    public static final Set<QuantLevel> CREATE_SUPPORTED = EnumSet.of(F32, F16, Q4_K_S, Q4_K_M, Q8_0);

    private static final String CREATE_SUPPORTED_TEXT = "F32, F16, Q4_K_S, Q4_K_M, Q8_0";

    /** Bare-level aliases: llama-quantize's short forms and the library's fp16/fp32. */
    private static final Map<String, QuantLevel> ALIASES = Map.of(
            "Q4_K", Q4_K_M, "Q3_K", Q3_K_M, "Q5_K", Q5_K_M, "FP16", F16, "FP32", F32);

    /** Tag shorthand: {@code q8 q6 q5 q4 q3 q2} (any case). */
    private static final Map<String, QuantLevel> SHORTHAND = Map.of(
            "Q8", Q8_0, "Q6", Q6_K, "Q5", Q5_K_M, "Q4", Q4_K_M, "Q3", Q3_K_M, "Q2", Q2_K);

    private static final Pattern TAG_SEGMENT = Pattern.compile("-");

    private final int fileType;

    QuantLevel(int fileType) {
        this.fileType = fileType;
    }

    /** The GGUF {@code general.file_type} id. */
    public int fileType() {
        return fileType;
    }

    /** The upper-case name ({@code Q4_K_M}): {@code details.quantization_level} and the quantizer's ftype name. */
    public String ftypeName() {
        return name();
    }

    /** Whether Ollama's {@code create --quantize} accepts this level as a target. */
    public boolean createSupported() {
        return CREATE_SUPPORTED.contains(this);
    }

    /**
     * The library tag spelling: lower-case letters before the first digit, the rest as is ({@code q4_K_M},
     * {@code iq4_XS}, {@code q8_0}); {@code fp16}/{@code fp32}/{@code bf16} for the float types.
     */
    public String tagName() {
        return switch (this) {
            case F16 -> "fp16";
            case F32 -> "fp32";
            case BF16 -> "bf16";
            default -> {
                String n = name();
                int d = 0;
                while (d < n.length() && !Character.isDigit(n.charAt(d))) {
                    d++;
                }
                yield n.substring(0, d).toLowerCase(Locale.ROOT) + n.substring(d);
            }
        };
    }

    /** The level with GGUF file-type id {@code id}, if known. */
    public static Optional<QuantLevel> ofFileType(long id) {
        for (QuantLevel q : values()) {
            if (q.fileType == id) {
                return Optional.of(q);
            }
        }
        return Optional.empty();
    }

    /** {@code details.quantization_level} for a GGUF file-type id: the level's name, or {@code unknown}. */
    public static String quantizationLevelName(long fileTypeId) {
        return ofFileType(fileTypeId).map(QuantLevel::ftypeName).orElse("unknown");
    }

    /**
     * Any level by name, case-insensitive ({@code q4_k_m}, {@code Q6_K}, {@code iq4_xs}), plus the aliases
     * {@code q4_K}→Q4_K_M, {@code q3_K}→Q3_K_M, {@code q5_K}→Q5_K_M, {@code fp16}, {@code fp32}.
     */
    public static Optional<QuantLevel> parse(String name) {
        String up = name.strip().toUpperCase(Locale.ROOT);
        QuantLevel alias = ALIASES.get(up);
        if (alias != null) {
            return Optional.of(alias);
        }
        for (QuantLevel q : values()) {
            if (q.name().equals(up)) {
                return Optional.of(q);
            }
        }
        return Optional.empty();
    }

    /**
     * Ollama's {@code create --quantize} / {@code /api/create quantize}: the input is upper-cased; F32, F16,
     * Q8_0, Q4_K_S, Q4_K_M (also {@code Q4_K}) and BF16 are accepted, anything else fails with
     * {@code unsupported quantization type <INPUT> - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0}.
     */
    public static QuantLevel parseForCreate(String input) throws UnsupportedQuantizationException {
        String up = input.toUpperCase(Locale.ROOT);
        return switch (up) {
            case "F32" -> F32;
            case "F16" -> F16;
            case "Q8_0" -> Q8_0;
            case "Q4_K_S" -> Q4_K_S;
            case "Q4_K_M", "Q4_K" -> Q4_K_M;
            case "BF16" -> BF16;
            default -> throw new UnsupportedQuantizationException("unsupported quantization type " + up
                    + " - supported types are " + CREATE_SUPPORTED_TEXT);
        };
    }

    /**
     * The level a model tag names, mbllm's shorthand: the tag itself or its last {@code -}-separated segment
     * ({@code 3b-instruct-q4_K_M}) is a level name (any case, with the {@link #parse} aliases) or one of
     * {@code q8}→Q8_0, {@code q6}→Q6_K, {@code q5}→Q5_K_M, {@code q4}→Q4_K_M, {@code q3}→Q3_K_M,
     * {@code q2}→Q2_K. Empty for tags such as {@code latest} or {@code 8b}.
     */
    public static Optional<QuantLevel> fromTag(String tag) {
        String[] parts = TAG_SEGMENT.split(tag, -1);
        String last = parts[parts.length - 1];
        QuantLevel s = SHORTHAND.get(last.toUpperCase(Locale.ROOT));
        return s != null ? Optional.of(s) : parse(last);
    }
}
