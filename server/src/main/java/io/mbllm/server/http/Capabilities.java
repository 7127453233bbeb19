package io.mbllm.server.http;

import java.io.IOException;
import java.io.UncheckedIOException;

import io.mbllm.server.api.ApiException;
import io.mbllm.server.infer.ModelInfo;
import io.mbllm.server.sched.ResolvedModel;

/** Capability checks before any work (api-contract §0.4: 400 when a model lacks what the request needs). */
final class Capabilities {
    private Capabilities() {}

    static ModelInfo info(ResolvedModel m) {
        try {
            return ModelInfo.of(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 400 {@code "<name>" does not support <capability>} unless the model has it. */
    static void require(ModelInfo info, String requestName, String capability) {
        if (!info.has(capability)) {
            throw ApiException.badRequest("\"" + requestName + "\" does not support " + capability);
        }
    }

    /** 400 {@code <fully qualified name> does not support tools}. */
    static void requireTools(ModelInfo info, ResolvedModel m) {
        if (!info.has("tools")) throw ApiException.badRequest(m.ref() + " does not support tools");
    }
}
