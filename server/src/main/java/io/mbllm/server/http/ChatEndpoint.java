package io.mbllm.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.mbllm.engine.generate.DoneReason;
import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.ChatRequest;
import io.mbllm.server.api.ChatResponse;
import io.mbllm.server.api.Json;
import io.mbllm.server.api.Message;
import io.mbllm.server.api.Metrics;
import io.mbllm.server.api.ToolCall;
import io.mbllm.server.format.Format;
import io.mbllm.server.infer.ChatJob;
import io.mbllm.server.infer.InferenceService;
import io.mbllm.server.infer.LoraScales;
import io.mbllm.server.infer.ModelInfo;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.ResolvedModel;
import io.mbllm.server.tools.ParsedToolCall;

/** {@code POST /api/chat} (api-contract §3.4). */
final class ChatEndpoint implements Router.Handler {
    static final Set<String> ROLES = Set.of("system", "user", "assistant", "tool", "developer");

    private final ModelLookup lookup;
    private final InferenceService inference;

    ChatEndpoint(ModelLookup lookup, InferenceService inference) {
        this.lookup = lookup;
        this.inference = inference;
    }

    @Override
    public void handle(Exchange ex) {
        ChatRequest req = ex.bind(ChatRequest.class);
        String name = req.modelName();
        ResolvedModel model = lookup.require(name);
        KeepAlive keepAlive = lookup.keepAlive(req.keepAlive());
        var format = Format.parse(req.format());
        var think = ModelLookup.think(req.think());
        List<Message> messages = normalize(req.messages());
        ModelInfo info = Capabilities.info(model);
        Capabilities.require(info, name, "completion");
        if (req.tools() != null && !req.tools().isEmpty()) Capabilities.requireTools(info, model);
        if (ModelLookup.wantsThinking(think)) Capabilities.require(info, name, "thinking");
        for (Message m : messages) {
            if (m.images() != null && !m.images().isEmpty()) Capabilities.require(info, name, "vision");
        }
        if (req.topLogprobs() != null && (req.topLogprobs() < 0 || req.topLogprobs() > 20)) {
            throw ApiException.badRequest("top_logprobs must be between 0 and 20");
        }
        inference.options(model, req.options());

        if (messages.isEmpty()) {
            String reason;
            if (keepAlive.zero()) {
                inference.scheduler().unload(model.ref());
                reason = "unload";
            } else {
                inference.load(model, req.options(), keepAlive, ex.cancellation());
                reason = "load";
            }
            ex.sendJson(200, new ChatResponse(name, Times.now(), Message.assistant("", null), true, reason, null));
            return;
        }
        boolean stream = req.stream() == null || req.stream();
        boolean renderOnly = Boolean.TRUE.equals(req.debugRenderOnly());
        float[] lora = LoraScales.of(model, req.lora());
        ChatJob job = new ChatJob(model, messages, req.tools(), req.options(), keepAlive, format, think,
                req.truncate() == null || req.truncate(), renderOnly, lora);
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        InferenceService.Outcome o = inference.chat(job, new InferenceService.Sink() {
            @Override
            public void text(String piece) {
                if (stream) line(ex, ChatResponse.piece(name, Times.now(), Message.assistant(piece, null)));
                else text.append(piece);
            }

            @Override
            public void toolCalls(List<ParsedToolCall> found) {
                List<ToolCall> native_ = nativeCalls(found);
                calls.addAll(native_);
                if (stream) line(ex, ChatResponse.piece(name, Times.now(), Message.assistant("", native_)));
            }
        }, ex.cancellation());
        if (renderOnly) {
            ex.sendJson(200, new GenerateEndpoint.DebugRender(name, Times.now(), new GenerateEndpoint.DebugRender.Info(o.prompt(), 0)));
            return;
        }
        if (o.stats().doneReason() == DoneReason.CANCELLED || ex.gone()) return;
        Metrics metrics = Metrics.of(o.stats(), System.nanoTime() - ex.startNanos(), o.loadNanos());
        String reason = o.stats().doneReason().wireName();
        if (stream) {
            line(ex, new ChatResponse(name, Times.now(), Message.assistant("", null), true, reason, metrics));
            ex.endStream();
        } else {
            ex.sendJson(200, new ChatResponse(name, Times.now(), Message.assistant(text.toString(), calls), true, reason, metrics));
        }
    }

    private static void line(Exchange ex, Object value) {
        if (!ex.started()) ex.startStream(Exchange.NDJSON);
        ex.writeChunk(Json.write(value) + "\n");
    }

    /** Native tool calls with fresh ids and indexes 0..n-1. */
    static List<ToolCall> nativeCalls(List<ParsedToolCall> found) {
        List<ToolCall> out = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            ParsedToolCall c = found.get(i);
            out.add(new ToolCall(ToolCallIds.next(), new ToolCall.Function(i, c.name(), c.arguments())));
        }
        return out;
    }

    /** Roles lower-cased and checked; absent content becomes "". */
    static List<Message> normalize(List<Message> in) {
        List<Message> out = new ArrayList<>();
        if (in == null) return out;
        for (Message m : in) {
            if (m == null) throw ApiException.badRequest("invalid message: null");
            String role = m.role() == null ? "" : m.role().toLowerCase(Locale.ROOT);
            if (!ROLES.contains(role)) throw ApiException.badRequest("invalid role \"" + m.role() + "\": must be system, user, assistant or tool");
            out.add(new Message(role, m.content() == null ? "" : m.content(), m.images(), m.thinking(), m.toolCalls(),
                    m.toolName(), m.toolCallId()));
        }
        return out;
    }
}
