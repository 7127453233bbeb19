package io.mbllm.server.http;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.EmbedRequest;
import io.mbllm.server.api.EmbeddingResponse;
import io.mbllm.server.api.EmbeddingsRequest;
import io.mbllm.server.api.EmbedResponse;
import io.mbllm.server.infer.InferenceService;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.ResolvedModel;

/**
 * {@code POST /api/embed} and the legacy {@code POST /api/embeddings} (api-contract §3.5, §3.6). Every model
 * embeds: the vector is the mean over the input's tokens of the last hidden state after the output norm
 * (documented choice for generative models); {@code /api/embed} L2-normalizes it, the legacy route does not.
 */
final class EmbedEndpoints {
    private final ModelLookup lookup;
    private final InferenceService inference;

    EmbedEndpoints(ModelLookup lookup, InferenceService inference) {
        this.lookup = lookup;
        this.inference = inference;
    }

    void embed(Exchange ex) {
        EmbedRequest req = ex.bind(EmbedRequest.class);
        String name = req.modelName();
        ResolvedModel model = lookup.require(name);
        KeepAlive keepAlive = lookup.keepAlive(req.keepAlive());
        List<String> inputs = inputs(req.input(), "invalid input type");
        if (req.dimensions() != null && req.dimensions() < 1) throw ApiException.badRequest("dimensions must be at least 1");
        inference.options(model, req.options());
        if (inputs.isEmpty()) {
            inference.load(model, req.options(), keepAlive, ex.cancellation());
            ex.sendJson(200, new EmbedResponse(name, List.of(), null, null, null));
            return;
        }
        InferenceService.Embeddings e = inference.embed(model, inputs, req.truncate() == null || req.truncate(),
                req.options(), keepAlive, ex.cancellation());
        List<float[]> out = new ArrayList<>();
        for (float[] v : e.vectors()) out.add(normalize(v, req.dimensions()));
        ex.sendJson(200, new EmbedResponse(name, out, System.nanoTime() - ex.startNanos(), e.loadNanos(), e.promptTokens()));
    }

    void embeddings(Exchange ex) {
        EmbeddingsRequest req = ex.bind(EmbeddingsRequest.class);
        ResolvedModel model = lookup.require(req.modelName());
        KeepAlive keepAlive = lookup.keepAlive(req.keepAlive());
        inference.options(model, req.options());
        if (req.prompt() == null || req.prompt().isEmpty()) {
            inference.load(model, req.options(), keepAlive, ex.cancellation());
            ex.sendJson(200, new EmbeddingResponse(new double[0]));
            return;
        }
        InferenceService.Embeddings e = inference.embed(model, List.of(req.prompt()), true, req.options(), keepAlive,
                ex.cancellation());
        float[] v = e.vectors().getFirst();
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        ex.sendJson(200, new EmbeddingResponse(d));
    }

    /** A string or an array of strings ({@code null}/absent: none). */
    static List<String> inputs(JsonNode input, String error) {
        List<String> out = new ArrayList<>();
        if (input == null || input.isNull() || input.isMissingNode()) return out;
        if (input.isTextual()) {
            out.add(input.asText());
            return out;
        }
        if (!input.isArray()) throw ApiException.badRequest(error);
        for (JsonNode n : input) {
            if (!n.isTextual()) throw ApiException.badRequest(error);
            out.add(n.asText());
        }
        return out;
    }

    /** The first {@code dims} values (all when null), scaled to unit length (zeros stay zeros). */
    static float[] normalize(float[] v, Integer dims) {
        int n = dims == null ? v.length : Math.min(dims, v.length);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += (double) v[i] * v[i];
        float[] out = new float[n];
        double norm = Math.sqrt(sum);
        for (int i = 0; i < n; i++) out[i] = norm == 0 ? 0f : (float) (v[i] / norm);
        return out;
    }
}
