package io.mbllm.server.sched;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.mbllm.server.api.Message;

/**
 * What the server needs to know about a named model: its GGUF weights and the Modelfile layers on top.
 *
 * @param ref        the canonical name
 * @param file       the GGUF file
 * @param template   the Modelfile TEMPLATE (Go template), or null to use the GGUF chat template / the default
 * @param system     the Modelfile SYSTEM, or null
 * @param parameters the Modelfile PARAMETERs as option values ({@code stop} as a list)
 * @param messages   the Modelfile MESSAGE history
 * @param license    license texts
 * @param digest     hex SHA-256 identifying the model (manifest digest)
 * @param modifiedAt last modification
 * @param size       bytes of all layers
 * @param adapters   the Modelfile ADAPTERs (GGUF LoRA files) with their default scales, in manifest order; a
 *                   request's {@code lora} list refers to them by index
 */
public record ResolvedModel(ModelRef ref, Path file, String template, String system, Map<String, Object> parameters,
                            List<Message> messages, List<String> license, String digest, Instant modifiedAt,
                            long size, List<Adapter> adapters) {
    /**
     * One LoRA adapter of a model.
     *
     * @param file  the GGUF adapter
     * @param scale its default user scale
     */
    public record Adapter(Path file, float scale) {}

    public ResolvedModel {
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
        messages = messages == null ? List.of() : List.copyOf(messages);
        license = license == null ? List.of() : List.copyOf(license);
        adapters = adapters == null ? List.of() : List.copyOf(adapters);
    }

    /** A model without adapters. */
    public ResolvedModel(ModelRef ref, Path file, String template, String system, Map<String, Object> parameters,
                         List<Message> messages, List<String> license, String digest, Instant modifiedAt, long size) {
        this(ref, file, template, system, parameters, messages, license, digest, modifiedAt, size, List.of());
    }

    /** The same model under another name. */
    public ResolvedModel renamed(ModelRef newRef) {
        return new ResolvedModel(newRef, file, template, system, parameters, messages, license, digest, Instant.now(), size,
                adapters);
    }
}
