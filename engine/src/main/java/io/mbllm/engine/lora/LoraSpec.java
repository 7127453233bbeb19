package io.mbllm.engine.lora;

import java.nio.file.Path;
import java.util.Objects;

/**
 * An adapter file named on a command line as {@code FILE[:SCALE]} (scale 1 when absent).
 *
 * @param file  the GGUF adapter
 * @param scale the user scale
 */
public record LoraSpec(Path file, float scale) {
    private static final String NUMBER = "[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?";

    public LoraSpec {
        Objects.requireNonNull(file, "file");
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("LoRA scale must be finite: " + scale);
    }

    /**
     * Parses {@code FILE[:SCALE]}: the text after the last {@code ':'} is the scale when it is a finite number,
     * otherwise the whole text is the file name.
     *
     * @throws IllegalArgumentException when the file name is empty
     */
    public static LoraSpec parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon > 0 && text.substring(colon + 1).matches(NUMBER)) {
            float s = Float.parseFloat(text.substring(colon + 1));
            if (Float.isFinite(s)) return new LoraSpec(Path.of(text.substring(0, colon)), s);
        }
        if (text.isEmpty()) throw new IllegalArgumentException("empty LoRA adapter file name");
        return new LoraSpec(Path.of(text), 1f);
    }
}
