package io.mbllm.engine.lora;

import java.io.IOException;

/** A {@code .safetensors} file is malformed, or holds a tensor that cannot be converted. */
public final class SafetensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message);
    }
}
