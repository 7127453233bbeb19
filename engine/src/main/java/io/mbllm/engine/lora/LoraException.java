package io.mbllm.engine.lora;

/**
 * A LoRA adapter cannot be used: the file is not a LoRA adapter, a tensor is malformed, it does not fit the base
 * model, or a PEFT directory cannot be converted. Where llama.cpp refuses the same input the message is its
 * message (see {@code shared/testdata/lora-oracle/edge/expected.json}).
 */
public final class LoraException extends Exception {
    private static final long serialVersionUID = 1L;

    public LoraException(String message) {
        super(message);
    }

    public LoraException(String message, Throwable cause) {
        super(message, cause);
    }
}
