package io.mbllm.server.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.engine.compare.CompareException;
import io.mbllm.engine.compare.CompareListener;
import io.mbllm.engine.compare.CompareSpec;
import io.mbllm.engine.compare.Comparison;
import io.mbllm.engine.compare.ComparisonResult;
import io.mbllm.engine.compare.LoadedVariant;
import io.mbllm.engine.compare.Variant;
import io.mbllm.engine.compare.VariantLoader;
import io.mbllm.engine.compare.VariantResult;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.Json;
import io.mbllm.server.infer.InferenceService;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.Lease;
import io.mbllm.server.sched.ResolvedModel;

/**
 * {@code POST /api/compare}: runs the same prompts greedily through several models (usually quantizations of one)
 * and reports size, bits per weight, load time, speed, and against a reference KL divergence, top-1 agreement,
 * perplexity on a text and where the answers part ({@link Comparison}).
 *
 * <p>Body: {@code {"models":["a:q8","a:q4"], "reference":"a:f16"?, "prompt":"..." | "prompts":[...],
 * "text":"..."?, "options":{"seed":..,"num_predict":..,"num_ctx":..}, "keep_alive":..?, "stream":true}}. Streamed
 * (the default) as NDJSON: {@code {"status":"loading","model":M}}, {@code {"status":"generating","model":M,
 * "phase":P,"completed":i,"total":n}}, one {@code {"model":M,"result":{...}}} per model, then
 * {@code {"done":true,"reference":R,"results":[...]}}; with {@code "stream":false} only that last object.
 *
 * <p>Serialisation: each model is taken through the scheduler like a chat request ({@link InferenceService#lease}):
 * the comparison holds one of the model's slots while it works on that model (a chat request to the same model
 * waits for it, one to another model runs beside it), loading respects {@code max_loaded_models}, and the models
 * are worked on one after another, so the comparison holds one model at a time.
 */
final class CompareEndpoint implements Router.Handler {
    /** The server's JSON settings, but null figures written as {@code null} (the contract names every field). */
    private static final ObjectMapper WITH_NULLS = Json.MAPPER.copy()
            .setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.ALWAYS, JsonInclude.Include.ALWAYS));

    /** {@code num_predict} when the request gives none. */
    static final int DEFAULT_NUM_PREDICT = 64;

    private final ModelLookup lookup;
    private final InferenceService inference;

    CompareEndpoint(ModelLookup lookup, InferenceService inference) {
        this.lookup = lookup;
        this.inference = inference;
    }

    @Override
    public void handle(Exchange ex) {
        JsonNode body = ex.json();
        if (!body.isObject()) throw ApiException.badRequest("the request body must be a JSON object");
        List<String> names = strings(body.get("models"), "models");
        if (names.isEmpty()) throw ApiException.badRequest("models is required: give at least one model to compare");
        Map<String, ResolvedModel> byName = new LinkedHashMap<>();
        Map<String, String> nameByKey = new LinkedHashMap<>();
        List<Variant> variants = new ArrayList<>();
        for (String name : names) {
            ResolvedModel m = lookup.require(name);
            if (nameByKey.putIfAbsent(m.ref().key(), name) != null) continue; // listed twice
            byName.put(name, m);
            variants.add(new Variant(name, m.file()));
        }
        Variant reference = null;
        JsonNode refNode = body.get("reference");
        if (refNode != null && !refNode.isNull()) {
            if (!refNode.isTextual()) throw ApiException.badRequest("reference must be a model name");
            ResolvedModel m = lookup.require(refNode.asText());
            String name = nameByKey.getOrDefault(m.ref().key(), refNode.asText());
            byName.putIfAbsent(name, m);
            reference = new Variant(name, m.file());
        }
        List<String> prompts = new ArrayList<>();
        JsonNode prompt = body.get("prompt");
        if (prompt != null && !prompt.isNull()) {
            if (!prompt.isTextual()) throw ApiException.badRequest("prompt must be a string");
            prompts.add(prompt.asText());
        }
        prompts.addAll(strings(body.get("prompts"), "prompts"));
        String text = null;
        JsonNode textNode = body.get("text");
        if (textNode != null && !textNode.isNull()) {
            if (!textNode.isTextual()) throw ApiException.badRequest("text must be a string");
            text = textNode.asText();
        }
        JsonNode options = body.get("options");
        if (options != null && !options.isNull() && !options.isObject()) throw ApiException.badRequest("options must be an object");
        long seed = options == null ? 0 : longOption(options, "seed", 0);
        int numPredict = (int) (options == null ? DEFAULT_NUM_PREDICT : longOption(options, "num_predict", DEFAULT_NUM_PREDICT));
        int defaultCtx = inference.scheduler().config().contextLength();
        int numCtx = (int) (options == null ? defaultCtx : longOption(options, "num_ctx", defaultCtx));
        KeepAlive keepAlive = lookup.keepAlive(body.get("keep_alive"));
        JsonNode streamNode = body.get("stream");
        boolean stream = streamNode == null || streamNode.isNull() || streamNode.asBoolean(true);
        CompareSpec spec;
        try {
            spec = new CompareSpec(prompts, numPredict, seed, numCtx, text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }

        VariantLoader loader = (v, n) -> open(byName.get(v.name()), n, keepAlive, ex);
        CompareListener listener = stream ? new Streamer(ex) : CompareListener.NONE;
        ComparisonResult result;
        try {
            result = Comparison.run(variants, reference, spec, loader, listener, ex.cancellation());
        } catch (CompareException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (CancellationException e) {
            throw ApiException.cancelled();
        }
        if (stream) {
            line(ex, result.toJsonMap());
            ex.endStream();
        } else {
            ex.sendText(200, Exchange.JSON, write(result.toJsonMap()));
        }
    }

    private LoadedVariant open(ResolvedModel model, int numCtx, KeepAlive keepAlive, Exchange ex) {
        Lease lease = inference.lease(model, numCtx, keepAlive, ex.cancellation());
        return new LoadedVariant() {
            @Override
            public Model model() {
                return lease.model().model();
            }

            @Override
            public Tokenizer tokenizer() {
                return lease.model().tokenizer();
            }

            @Override
            public InferenceContext context() {
                return lease.slot().context();
            }

            @Override
            public long loadNanos() {
                return lease.loadNanos();
            }

            @Override
            public void close() {
                try {
                    lease.slot().generator().reset(); // the context was used directly: the cached prompt is gone
                } finally {
                    lease.close();
                }
            }
        };
    }

    /** Writes each event as an NDJSON line (the first one starts the stream). */
    private record Streamer(Exchange ex) implements CompareListener {
        @Override
        public void loading(String model) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", "loading");
            m.put("model", model);
            line(ex, m);
        }

        @Override
        public void progress(String model, String phase, int completed, int total) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", "generating");
            m.put("model", model);
            m.put("phase", phase);
            m.put("completed", completed);
            m.put("total", total);
            line(ex, m);
        }

        @Override
        public void result(VariantResult result) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", result.model());
            m.put("result", result.toJsonMap());
            line(ex, m);
        }
    }

    private static void line(Exchange ex, Map<String, Object> m) {
        if (!ex.started()) ex.startStream(Exchange.NDJSON);
        ex.writeChunk(write(m) + "\n");
    }

    private static String write(Map<String, Object> m) {
        try {
            return WITH_NULLS.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize the comparison", e);
        }
    }

    /** An array of strings (absent or null: empty). */
    private static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) return out;
        if (!node.isArray()) throw ApiException.badRequest(field + " must be an array of strings");
        for (JsonNode n : node) {
            if (!n.isTextual()) throw ApiException.badRequest(field + " must be an array of strings");
            out.add(n.asText());
        }
        return out;
    }

    private static long longOption(JsonNode options, String name, long dflt) {
        JsonNode n = options.get(name);
        if (n == null || n.isNull()) return dflt;
        if (!n.isIntegralNumber() && !(n.isNumber() && n.asDouble() == Math.rint(n.asDouble()))) {
            throw ApiException.badRequest("option " + name + " must be an integer");
        }
        long v = n.asLong();
        if (!name.equals("seed") && (v < 0 || v > Integer.MAX_VALUE)) {
            throw ApiException.badRequest("option " + name + " out of range: " + v);
        }
        return v;
    }
}
