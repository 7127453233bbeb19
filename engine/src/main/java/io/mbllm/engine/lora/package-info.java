/**
 * LoRA adapters in llama.cpp's GGUF format: {@link io.mbllm.engine.lora.LoraAdapter} (load and validate),
 * {@link io.mbllm.engine.lora.LoraSet} (several adapters with scales bound to a model, applied at run time through
 * {@code ContextOptions.withLoras}), {@link io.mbllm.engine.lora.LoraMerger} (merged model as
 * {@code llama-export-lora} writes it) and {@link io.mbllm.engine.lora.PeftImporter} (Hugging Face PEFT directory to
 * GGUF adapter, with the {@link io.mbllm.engine.lora.SafetensorsFile} reader).
 */
package io.mbllm.engine.lora;
