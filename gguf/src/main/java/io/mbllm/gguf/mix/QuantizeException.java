package io.mbllm.gguf.mix;

import java.io.IOException;

/**
 * A model that cannot be quantized as asked: quantized source tensors without allow-requantize, a target type
 * mbllm has no codec for, missing or mismatched imatrix data, an incomplete model header, and the like.
 */
public final class QuantizeException extends IOException {
    private static final long serialVersionUID = 1L;

    public QuantizeException(String message) {
        super(message);
    }

    public QuantizeException(String message, Throwable cause) {
        super(message, cause);
    }
}
