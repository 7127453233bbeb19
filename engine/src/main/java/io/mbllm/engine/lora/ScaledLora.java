package io.mbllm.engine.lora;

import java.util.Objects;

/**
 * An adapter with the user's scale (llama.cpp's {@code --lora-scaled FILE:SCALE}; the effective scale of each
 * matrix is {@link LoraAdapter#scale(float, int)}). A scale of 0 leaves the adapter out altogether.
 */
public record ScaledLora(LoraAdapter adapter, float userScale) {
    public ScaledLora {
        Objects.requireNonNull(adapter, "adapter");
        if (!Float.isFinite(userScale)) throw new IllegalArgumentException("LoRA scale must be finite: " + userScale);
    }
}
