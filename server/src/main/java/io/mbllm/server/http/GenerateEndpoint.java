package io.mbllm.server.http;

import java.util.List;

import io.mbllm.engine.generate.DoneReason;
import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.GenerateRequest;
import io.mbllm.server.api.GenerateResponse;
import io.mbllm.server.api.Json;
import io.mbllm.server.api.Metrics;
import io.mbllm.server.format.Format;
import io.mbllm.server.format.JsonGrammar;
import io.mbllm.server.infer.GenerateJob;
import io.mbllm.server.infer.InferenceService;
import io.mbllm.server.infer.LoraScales;
import io.mbllm.server.infer.ModelInfo;
import io.mbllm.server.infer.PromptRenderer;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.ResolvedModel;

/** {@code POST /api/generate} (api-contract §3.3). */
final class GenerateEndpoint implements Router.Handler {
    private final ModelLookup lookup;
    private final InferenceService inference;

    GenerateEndpoint(ModelLookup lookup, InferenceService inference) {
        this.lookup = lookup;
        this.inference = inference;
    }

    @Override
    public void handle(Exchange ex) {
        GenerateRequest req = ex.bind(GenerateRequest.class);
        String name = req.modelName();
        ResolvedModel model = lookup.require(name);
        boolean raw = Boolean.TRUE.equals(req.raw());
        if (raw && (notEmpty(req.template()) || notEmpty(req.system()) || req.context() != null && !req.context().isEmpty())) {
            throw ApiException.badRequest("raw mode does not support template, system, or context");
        }
        KeepAlive keepAlive = lookup.keepAlive(req.keepAlive());
        JsonGrammar format = Format.parse(req.format());
        var think = ModelLookup.think(req.think());
        ModelInfo info = Capabilities.info(model);
        Capabilities.require(info, name, "completion");
        if (req.images() != null && !req.images().isEmpty()) Capabilities.require(info, name, "vision");
        if (ModelLookup.wantsThinking(think)) Capabilities.require(info, name, "thinking");
        if (notEmpty(req.suffix())) Capabilities.require(info, name, "insert");
        if (req.topLogprobs() != null && (req.topLogprobs() < 0 || req.topLogprobs() > 20)) {
            throw ApiException.badRequest("top_logprobs must be between 0 and 20");
        }
        PromptRenderer.checkTemplate(req.template());
        inference.options(model, req.options()); // 400 on bad options before any work
        float[] lora = LoraScales.of(model, req.lora());

        if (req.prompt() == null || req.prompt().isEmpty()) {
            if (!notEmpty(req.suffix())) {
                loadOrUnload(ex, name, model, req, keepAlive);
                return;
            }
        }
        boolean stream = req.stream() == null || req.stream();
        boolean renderOnly = Boolean.TRUE.equals(req.debugRenderOnly());
        GenerateJob job = new GenerateJob(model, req.prompt() == null ? "" : req.prompt(), req.suffix(), req.system(),
                req.template(), req.context(), raw, req.options(), keepAlive, format, think,
                req.truncate() == null || req.truncate(), renderOnly, lora);
        StringBuilder text = new StringBuilder();
        InferenceService.Outcome o = inference.generate(job, piece -> {
            if (stream) {
                if (!ex.started()) ex.startStream(Exchange.NDJSON);
                ex.writeChunk(Json.write(GenerateResponse.piece(name, Times.now(), piece)) + "\n");
            } else {
                text.append(piece);
            }
        }, ex.cancellation());
        if (renderOnly) {
            ex.sendJson(200, new DebugRender(name, Times.now(), new DebugRender.Info(o.prompt(), 0)));
            return;
        }
        if (o.stats().doneReason() == DoneReason.CANCELLED || ex.gone()) return;
        long total = System.nanoTime() - ex.startNanos();
        GenerateResponse last = new GenerateResponse(name, Times.now(), stream ? "" : text.toString(), null, true,
                o.stats().doneReason().wireName(), raw ? null : boxed(o.context()), Metrics.of(o.stats(), total, o.loadNanos()));
        if (stream) {
            if (!ex.started()) ex.startStream(Exchange.NDJSON);
            ex.writeChunk(Json.write(last) + "\n");
            ex.endStream();
        } else {
            ex.sendJson(200, last);
        }
    }

    private void loadOrUnload(Exchange ex, String name, ResolvedModel model, GenerateRequest req, KeepAlive keepAlive) {
        String reason;
        if (keepAlive.zero()) {
            inference.scheduler().unload(model.ref());
            reason = "unload";
        } else {
            inference.load(model, req.options(), keepAlive, ex.cancellation());
            reason = "load";
        }
        ex.sendJson(200, new GenerateResponse(name, Times.now(), "", null, true, reason, null, null));
    }

    static List<Integer> boxed(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    private static boolean notEmpty(String s) {
        return s != null && !s.isEmpty();
    }

    /** Answer to {@code _debug_render_only}: the rendered prompt. */
    record DebugRender(String model, String createdAt, Info debugInfo) {
        record Info(String renderedTemplate, int imageCount) {}
    }
}
