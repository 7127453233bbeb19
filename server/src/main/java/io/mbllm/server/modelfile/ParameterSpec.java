package io.mbllm.server.modelfile;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parameter names a Modelfile and the API accept (api-contract.md §1, modelfile.md §4) with their types,
 * and the deprecated names that only warn.
 */
public final class ParameterSpec {
    private ParameterSpec() {
    }

    private static final Map<String, ParamType> TYPES = Map.ofEntries(
            Map.entry("num_ctx", ParamType.INT),
            Map.entry("num_batch", ParamType.INT),
            Map.entry("num_gpu", ParamType.INT),
            Map.entry("main_gpu", ParamType.INT),
            Map.entry("use_mmap", ParamType.BOOL),
            Map.entry("num_thread", ParamType.INT),
            Map.entry("draft_num_predict", ParamType.INT),
            Map.entry("num_keep", ParamType.INT),
            Map.entry("seed", ParamType.INT),
            Map.entry("num_predict", ParamType.INT),
            Map.entry("top_k", ParamType.INT),
            Map.entry("top_p", ParamType.FLOAT),
            Map.entry("min_p", ParamType.FLOAT),
            Map.entry("typical_p", ParamType.FLOAT),
            Map.entry("repeat_last_n", ParamType.INT),
            Map.entry("temperature", ParamType.FLOAT),
            Map.entry("repeat_penalty", ParamType.FLOAT),
            Map.entry("presence_penalty", ParamType.FLOAT),
            Map.entry("frequency_penalty", ParamType.FLOAT),
            Map.entry("stop", ParamType.STRINGS));

    private static final Set<String> DEPRECATED = Set.of("penalize_newline", "low_vram", "f16_kv", "logits_all",
            "vocab_only", "use_mlock", "mirostat", "mirostat_tau", "mirostat_eta");

    /** The type of a known parameter (names are case-sensitive), or empty for an unknown name. */
    public static Optional<ParamType> typeOf(String name) {
        return Optional.ofNullable(TYPES.get(name));
    }

    /** Every known parameter name. */
    public static Set<String> names() {
        return TYPES.keySet();
    }

    /** True for a deprecated name that is dropped with {@code warning: parameter X is deprecated}. */
    public static boolean isDeprecated(String name) {
        return DEPRECATED.contains(name);
    }

    /** Parses one {@code PARAMETER name value} pair; unknown names fail with {@code unknown parameter 'x'}. */
    public static ParamValue parse(String name, String raw) throws ParameterException {
        ParamType type = TYPES.get(name);
        if (type == null) {
            throw new ParameterException("unknown parameter '" + name + "'");
        }
        return type.parse(raw);
    }
}
