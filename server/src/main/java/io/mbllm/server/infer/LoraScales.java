package io.mbllm.server.infer;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.api.ApiException;
import io.mbllm.server.sched.ResolvedModel;

/**
 * A request's {@code lora} field (mbllm extension, the shape of llama.cpp's server): a list of
 * {@code {"id": N, "scale": S}} choosing the model's adapters (its ADAPTER lines, by index from 0, as
 * {@code /api/show} lists them) and their user scales for this request only. Adapters the list does not name get
 * scale 0 (off), as in llama.cpp; without the field the model's own scales apply. An empty list turns every
 * adapter off.
 */
public final class LoraScales {
    private LoraScales() {}

    /**
     * The user scale of each adapter of {@code model} for a request, or {@code null} when {@code lora} is absent.
     *
     * @throws ApiException 400 for a malformed list, an id the model does not have, or a non-finite scale
     */
    public static float[] of(ResolvedModel model, JsonNode lora) {
        if (lora == null || lora.isNull() || lora.isMissingNode()) return null;
        if (!lora.isArray()) throw ApiException.badRequest("lora must be a list of {\"id\": N, \"scale\": S}");
        int n = model.adapters().size();
        float[] scales = new float[n];
        for (JsonNode e : lora) {
            JsonNode id = e.get("id");
            JsonNode scale = e.get("scale");
            if (!e.isObject() || id == null || !id.canConvertToInt() || !id.isIntegralNumber()
                    || scale == null || !scale.isNumber()) {
                throw ApiException.badRequest("lora must be a list of {\"id\": N, \"scale\": S}");
            }
            int i = id.intValue();
            if (i < 0 || i >= n) {
                throw ApiException.badRequest("invalid lora id " + i + ": model '" + model.ref().display() + "' has "
                        + (n == 0 ? "no LoRA adapters" : n == 1 ? "1 LoRA adapter (id 0)"
                        : n + " LoRA adapters (ids 0 to " + (n - 1) + ")"));
            }
            float s = scale.floatValue();
            if (!Float.isFinite(s)) throw ApiException.badRequest("lora scale must be a finite number");
            scales[i] = s;
        }
        return scales;
    }
}
