package io.mbllm.engine.compare;

/** Progress of a comparison, called on the comparing thread. */
public interface CompareListener {
    /** Ignores everything. */
    CompareListener NONE = new CompareListener() {};

    /** A variant is being loaded. */
    default void loading(String model) {}

    /**
     * Work on a variant advanced: {@code completed} of {@code total} steps (each prompt's answer, each prompt's
     * teacher-forced scoring, each text chunk).
     *
     * @param phase {@code generating}, {@code scoring} or {@code text}
     */
    default void progress(String model, String phase, int completed, int total) {}

    /** A variant is done. */
    default void result(VariantResult result) {}
}
