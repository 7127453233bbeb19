package io.mbllm.server.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.engine.template.go.ThinkOption;
import io.mbllm.server.api.ApiException;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.ModelRef;
import io.mbllm.server.sched.ModelResolver;
import io.mbllm.server.sched.ResolvedModel;

/** Request field checks shared by the endpoints: model names, keep_alive, think. */
final class ModelLookup {
    private final ModelResolver resolver;
    private final KeepAlive defaultKeepAlive;

    ModelLookup(ModelResolver resolver, KeepAlive defaultKeepAlive) {
        this.resolver = resolver;
        this.defaultKeepAlive = defaultKeepAlive;
    }

    ModelResolver resolver() {
        return resolver;
    }

    /** Parses a name: 400 {@code model is required} when absent, {@code invalidMessage} when malformed. */
    static ModelRef ref(String name, String invalidMessage) {
        if (name == null || name.isEmpty()) throw ApiException.badRequest("model is required");
        try {
            return ModelRef.parse(name);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(invalidMessage);
        }
    }

    /** The model named {@code name}: 400 when missing or invalid, 404 {@code model '<name>' not found}. */
    ResolvedModel require(String name) {
        ModelRef ref = ref(name, "invalid model name");
        return find(ref).orElseThrow(() -> ApiException.modelNotFound(name));
    }

    Optional<ResolvedModel> find(ModelRef ref) {
        try {
            return resolver.resolve(ref);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request's keep_alive, or the server default (400 when malformed). */
    KeepAlive keepAlive(JsonNode node) {
        try {
            return KeepAlive.fromJson(node, defaultKeepAlive);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    /** The {@code think} field: bool or low/medium/high/max (400 otherwise). */
    static ThinkOption think(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) return ThinkOption.UNSET;
        if (node.isBoolean()) return ThinkOption.of(node.booleanValue());
        if (node.isTextual()) {
            String s = node.asText();
            switch (s) {
                case "low", "medium", "high", "max" -> {
                    return ThinkOption.level(s);
                }
                case "true" -> {
                    return ThinkOption.of(true);
                }
                case "false" -> {
                    return ThinkOption.of(false);
                }
                default -> { }
            }
        }
        throw ApiException.badRequest("invalid think value: must be a boolean or one of \"low\", \"medium\", \"high\", \"max\"");
    }

    /** Whether a think option asks for thinking. */
    static boolean wantsThinking(ThinkOption t) {
        return t.isSet() && (t.think() || !t.level().isEmpty());
    }
}
