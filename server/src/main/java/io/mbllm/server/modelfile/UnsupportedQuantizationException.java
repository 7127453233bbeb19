package io.mbllm.server.modelfile;

/**
 * A quantization level name that cannot be used: Ollama's text {@code unsupported quantization type Q6_K -
 * supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0} for {@code create}, or {@code unknown quantization
 * type X} for a name that is no level at all.
 */
public final class UnsupportedQuantizationException extends Exception {
    private static final long serialVersionUID = 1L;

    public UnsupportedQuantizationException(String message) {
        super(message);
    }
}
