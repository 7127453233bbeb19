package io.mbllm.engine.template.go;

/**
 * The request's thinking setting, as templates see it: {@code .Think}, {@code .ThinkLevel} and
 * {@code .IsThinkSet}.
 *
 * @param think whether thinking is requested
 * @param level level name ("high", "medium", "low") when given as a string, else ""
 * @param isSet whether the request set the option at all
 */
public record ThinkOption(boolean think, String level, boolean isSet) {
    /** The option was not given. */
    public static final ThinkOption UNSET = new ThinkOption(false, "", false);

    /** Normalises a null level. */
    public ThinkOption {
        level = level == null ? "" : level;
    }

    /** {@code think: true/false}. */
    public static ThinkOption of(boolean think) {
        return new ThinkOption(think, "", true);
    }

    /** {@code think: "high"} etc. */
    public static ThinkOption level(String level) {
        return new ThinkOption(true, level, true);
    }
}
