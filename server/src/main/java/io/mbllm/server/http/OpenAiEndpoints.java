package io.mbllm.server.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.engine.generate.DoneReason;
import io.mbllm.engine.template.go.ThinkOption;
import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.Json;
import io.mbllm.server.api.Message;
import io.mbllm.server.api.OpenAiChatCompletion;
import io.mbllm.server.api.OpenAiCompletion;
import io.mbllm.server.api.OpenAiEmbeddings;
import io.mbllm.server.api.OpenAiModel;
import io.mbllm.server.api.OpenAiToolCall;
import io.mbllm.server.api.OpenAiUsage;
import io.mbllm.server.api.Tool;
import io.mbllm.server.api.ToolCall;
import io.mbllm.server.format.Format;
import io.mbllm.server.format.JsonGrammar;
import io.mbllm.server.infer.ChatJob;
import io.mbllm.server.infer.GenerateJob;
import io.mbllm.server.infer.InferenceService;
import io.mbllm.server.infer.LoraScales;
import io.mbllm.server.infer.ModelInfo;
import io.mbllm.server.sched.KeepAlive;
import io.mbllm.server.sched.ModelRef;
import io.mbllm.server.sched.ResolvedModel;
import io.mbllm.server.tools.ParsedToolCall;

/**
 * The OpenAI-compatible routes (api-contract §4): chat completions, completions, models, embeddings. Requests
 * are mapped onto the native jobs; an absent {@code temperature} or {@code top_p} is 1.0, as Ollama forces
 * (parity choice). Streams are SSE: content chunks, a finish chunk with an empty delta, an optional usage
 * chunk, {@code data: [DONE]}, then the connection closes.
 */
final class OpenAiEndpoints {
    private static final String FINGERPRINT = "fp_ollama";

    private final ModelLookup lookup;
    private final InferenceService inference;
    private final AtomicLong ids = new AtomicLong();

    OpenAiEndpoints(ModelLookup lookup, InferenceService inference) {
        this.lookup = lookup;
        this.inference = inference;
    }

    // ---------------------------------------------------------------- chat

    void chat(Exchange ex) {
        JsonNode body = object(ex);
        String name = text(body, "model");
        ResolvedModel model = lookup.require(name);
        JsonNode msgs = body.get("messages");
        if (msgs == null || !msgs.isArray() || msgs.isEmpty()) throw ApiException.badRequest("[] is too short - 'messages'");
        List<Message> messages = messages(msgs);
        List<Tool> tools = tools(body.get("tools"));
        Map<String, Object> options = options(body);
        JsonGrammar format = responseFormat(body.get("response_format"));
        ThinkOption think = reasoning(body);
        ModelInfo info = Capabilities.info(model);
        Capabilities.require(info, name, "completion");
        if (!tools.isEmpty()) Capabilities.requireTools(info, model);
        if (ModelLookup.wantsThinking(think)) Capabilities.require(info, name, "thinking");
        for (Message m : messages) if (m.images() != null && !m.images().isEmpty()) Capabilities.require(info, name, "vision");
        inference.options(model, options);
        boolean stream = bool(body, "stream", false);
        boolean usage = stream && body.path("stream_options").path("include_usage").asBoolean(false);
        String id = "chatcmpl-" + ids.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;
        KeepAlive keepAlive = lookup.keepAlive(null);
        ChatJob job = new ChatJob(model, messages, tools, options, keepAlive, format, think, true, false,
                LoraScales.of(model, body.get("lora")));

        StringBuilder text = new StringBuilder();
        List<OpenAiToolCall> calls = new ArrayList<>();
        boolean[] roleSent = {false};
        InferenceService.Outcome o = inference.chat(job, new InferenceService.Sink() {
            @Override
            public void text(String piece) {
                if (!stream) {
                    text.append(piece);
                    return;
                }
                chunk(ex, id, created, name, delta(roleSent, piece, null), null);
            }

            @Override
            public void toolCalls(List<ParsedToolCall> found) {
                List<OpenAiToolCall> c = openAiCalls(found);
                calls.addAll(c);
                if (stream) chunk(ex, id, created, name, delta(roleSent, "", c), null);
            }
        }, ex.cancellation());
        if (o.stats().doneReason() == DoneReason.CANCELLED || ex.gone()) return;
        String finish = !calls.isEmpty() ? "tool_calls" : o.stats().doneReason() == DoneReason.LENGTH ? "length" : "stop";
        OpenAiUsage u = OpenAiUsage.of(o.stats().promptTokens(), o.stats().evalCount());
        if (stream) {
            if (!roleSent[0]) chunk(ex, id, created, name, delta(roleSent, "", null), null);
            chunk(ex, id, created, name, OpenAiChatCompletion.ChatMessage.EMPTY, finish);
            if (usage) {
                event(ex, new OpenAiChatCompletion(id, "chat.completion.chunk", created, name, FINGERPRINT, List.of(), u));
            }
            done(ex);
        } else {
            var msg = new OpenAiChatCompletion.ChatMessage("assistant", text.toString(), null, calls.isEmpty() ? null : calls);
            ex.sendJson(200, new OpenAiChatCompletion(id, "chat.completion", created, name, FINGERPRINT,
                    List.of(new OpenAiChatCompletion.Choice(0, msg, null, finish)), u));
        }
    }

    private static OpenAiChatCompletion.ChatMessage delta(boolean[] roleSent, String content, List<OpenAiToolCall> calls) {
        String role = roleSent[0] ? null : "assistant";
        roleSent[0] = true;
        return new OpenAiChatCompletion.ChatMessage(role, content, null, calls);
    }

    private static void chunk(Exchange ex, String id, long created, String model, OpenAiChatCompletion.ChatMessage delta,
                              String finish) {
        event(ex, new OpenAiChatCompletion(id, "chat.completion.chunk", created, model, FINGERPRINT,
                List.of(new OpenAiChatCompletion.Choice(0, null, delta, finish)), null));
    }

    private static void event(Exchange ex, Object value) {
        if (!ex.started()) ex.startStream(Exchange.SSE);
        ex.writeChunk("data: " + Json.write(value) + "\n\n");
    }

    private static void done(Exchange ex) {
        if (!ex.started()) ex.startStream(Exchange.SSE);
        ex.writeChunk("data: [DONE]\n\n");
        ex.endStream();
    }

    private static List<OpenAiToolCall> openAiCalls(List<ParsedToolCall> found) {
        List<OpenAiToolCall> out = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
            ParsedToolCall c = found.get(i);
            out.add(new OpenAiToolCall(ToolCallIds.next(), i, "function",
                    new OpenAiToolCall.Function(c.name(), Json.write(c.arguments()))));
        }
        return out;
    }

    /** OpenAI messages → native: content parts joined, data-URL images, tool calls with JSON-string arguments. */
    @SuppressWarnings("unchecked")
    static List<Message> messages(JsonNode msgs) {
        List<Message> out = new ArrayList<>();
        Map<String, String> callNames = new HashMap<>();
        for (JsonNode m : msgs) {
            if (!m.isObject()) throw ApiException.badRequest("invalid message: expected an object");
            String role = m.path("role").asText("");
            JsonNode content = m.get("content");
            StringBuilder text = new StringBuilder();
            List<String> images = new ArrayList<>();
            if (content != null && content.isTextual()) {
                text.append(content.asText());
            } else if (content != null && content.isArray()) {
                for (JsonNode part : content) {
                    String type = part.path("type").asText("");
                    if (type.equals("text")) {
                        if (!text.isEmpty()) text.append('\n');
                        text.append(part.path("text").asText(""));
                    } else if (type.equals("image_url")) {
                        JsonNode u = part.get("image_url");
                        String url = u == null ? "" : u.isTextual() ? u.asText() : u.path("url").asText("");
                        images.add(image(url));
                    } else {
                        throw ApiException.badRequest("invalid message part type: " + type);
                    }
                }
            } else if (content != null && !content.isNull()) {
                throw ApiException.badRequest("invalid message content type");
            }
            List<ToolCall> calls = null;
            JsonNode tc = m.get("tool_calls");
            if (tc != null && tc.isArray()) {
                calls = new ArrayList<>();
                int i = 0;
                for (JsonNode c : tc) {
                    JsonNode fn = c.path("function");
                    String fname = fn.path("name").asText(null);
                    if (fname == null) throw ApiException.badRequest("invalid tool call: missing function name");
                    JsonNode args = fn.get("arguments");
                    Map<String, Object> argMap;
                    try {
                        JsonNode parsed = args == null || args.isNull() ? Json.MAPPER.createObjectNode()
                                : args.isTextual() ? Json.MAPPER.readTree(args.asText().isEmpty() ? "{}" : args.asText()) : args;
                        if (!parsed.isObject()) throw new IOException("not an object");
                        argMap = Json.MAPPER.convertValue(parsed, Map.class);
                    } catch (IOException e) {
                        throw ApiException.badRequest("invalid tool call arguments");
                    }
                    String callId = c.path("id").asText(null);
                    if (callId != null) callNames.put(callId, fname);
                    calls.add(new ToolCall(callId, new ToolCall.Function(i++, fname, argMap)));
                }
            }
            String toolCallId = m.path("tool_call_id").asText(null);
            String toolName = m.path("name").asText(null);
            if (toolCallId != null && callNames.containsKey(toolCallId)) toolName = callNames.get(toolCallId);
            out.add(new Message(role, text.toString(), images.isEmpty() ? null : images, null, calls,
                    "tool".equals(role) ? toolName : null, toolCallId));
        }
        return ChatEndpoint.normalize(out);
    }

    private static String image(String url) {
        if (url.startsWith("http://") || url.startsWith("https://")) {
            throw ApiException.badRequest("image URLs are not currently supported, please use base64 encoded data instead");
        }
        for (String prefix : List.of("data:image/jpeg;base64,", "data:image/jpg;base64,", "data:image/png;base64,",
                "data:image/webp;base64,", "data:;base64,")) {
            if (url.startsWith(prefix)) return url.substring(prefix.length());
        }
        throw ApiException.badRequest("invalid image input");
    }

    @SuppressWarnings("unchecked")
    static List<Tool> tools(JsonNode tools) {
        List<Tool> out = new ArrayList<>();
        if (tools == null || tools.isNull()) return out;
        if (!tools.isArray()) throw ApiException.badRequest("invalid tools: expected an array");
        for (JsonNode t : tools) {
            JsonNode fn = t.path("function");
            String name = fn.path("name").asText(null);
            if (name == null) throw ApiException.badRequest("invalid tool: missing function name");
            Map<String, Object> params = fn.get("parameters") instanceof JsonNode p && p.isObject()
                    ? Json.MAPPER.convertValue(p, Map.class) : null;
            out.add(new Tool(t.path("type").asText("function"), new Tool.Function(name, fn.path("description").asText(null), params)));
        }
        return out;
    }

    /** Sampling fields → native options (absent temperature/top_p ⇒ 1.0, as Ollama). */
    static Map<String, Object> options(JsonNode body) {
        Map<String, Object> o = new LinkedHashMap<>();
        JsonNode max = body.hasNonNull("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        if (max != null && !max.isNull()) o.put("num_predict", number(max, "max_tokens"));
        o.put("temperature", body.hasNonNull("temperature") ? number(body.get("temperature"), "temperature") : 1.0);
        JsonNode topP = body.get("top_p");
        o.put("top_p", topP != null && !topP.isNull() && topP.asDouble() != 0 ? number(topP, "top_p") : 1.0);
        for (String k : List.of("seed", "frequency_penalty", "presence_penalty")) {
            if (body.hasNonNull(k)) o.put(k, number(body.get(k), k));
        }
        JsonNode stop = body.get("stop");
        if (stop != null && !stop.isNull()) {
            List<String> s = new ArrayList<>();
            if (stop.isTextual()) s.add(stop.asText());
            else if (stop.isArray()) for (JsonNode x : stop) s.add(x.asText());
            else throw ApiException.badRequest("invalid stop: expected a string or an array of strings");
            o.put("stop", s);
        }
        return o;
    }

    private static Object number(JsonNode n, String field) {
        if (!n.isNumber()) throw ApiException.badRequest("invalid " + field + ": expected a number");
        return n.numberValue();
    }

    static JsonGrammar responseFormat(JsonNode rf) {
        if (rf == null || rf.isNull()) return null;
        String type = rf.path("type").asText("");
        return switch (type) {
            case "text", "" -> null;
            case "json_object" -> JsonGrammar.anyObject();
            case "json_schema" -> {
                JsonNode schema = rf.path("json_schema").get("schema");
                if (schema == null || !schema.isObject()) throw ApiException.badRequest("invalid response_format: json_schema.schema is required");
                yield Format.parse(schema);
            }
            default -> throw ApiException.badRequest("invalid response_format type: " + type);
        };
    }

    static ThinkOption reasoning(JsonNode body) {
        String effort = body.hasNonNull("reasoning_effort") ? body.get("reasoning_effort").asText()
                : body.path("reasoning").hasNonNull("effort") ? body.path("reasoning").get("effort").asText() : null;
        if (effort == null) return ThinkOption.UNSET;
        return switch (effort) {
            case "none" -> ThinkOption.of(false);
            case "minimal" -> ThinkOption.level("low");
            case "low", "medium", "high", "max" -> ThinkOption.level(effort);
            case "xhigh", "ultra" -> ThinkOption.level("max");
            default -> throw ApiException.badRequest("invalid reasoning value: '" + effort + "' (must be \"none\", \"minimal\", \"low\", \"medium\", \"high\" or \"max\")");
        };
    }

    // ---------------------------------------------------------------- completions

    void completions(Exchange ex) {
        JsonNode body = object(ex);
        String name = text(body, "model");
        ResolvedModel model = lookup.require(name);
        JsonNode p = body.get("prompt");
        if (p != null && !p.isNull() && !p.isTextual()) throw ApiException.badRequest("invalid type for 'prompt' field: only strings are supported");
        String prompt = p == null || p.isNull() ? "" : p.asText();
        Map<String, Object> options = options(body);
        ModelInfo info = Capabilities.info(model);
        Capabilities.require(info, name, "completion");
        String suffix = body.hasNonNull("suffix") ? body.get("suffix").asText() : null;
        if (suffix != null && !suffix.isEmpty()) Capabilities.require(info, name, "insert");
        inference.options(model, options);
        if (prompt.isEmpty() && (suffix == null || suffix.isEmpty())) throw ApiException.badRequest("prompt is required");
        boolean stream = bool(body, "stream", false);
        boolean usage = stream && body.path("stream_options").path("include_usage").asBoolean(false);
        String id = "cmpl-" + ids.incrementAndGet();
        long created = System.currentTimeMillis() / 1000;
        GenerateJob job = new GenerateJob(model, prompt, suffix, null, null, null, false, options, lookup.keepAlive(null),
                null, ThinkOption.UNSET, true, false, LoraScales.of(model, body.get("lora")));
        StringBuilder text = new StringBuilder();
        InferenceService.Outcome o = inference.generate(job, piece -> {
            if (stream) {
                event(ex, new OpenAiCompletion(id, "text_completion", created, name, FINGERPRINT,
                        List.of(new OpenAiCompletion.Choice(piece, 0, null)), null));
            } else {
                text.append(piece);
            }
        }, ex.cancellation());
        if (o.stats().doneReason() == DoneReason.CANCELLED || ex.gone()) return;
        String finish = o.stats().doneReason() == DoneReason.LENGTH ? "length" : "stop";
        OpenAiUsage u = OpenAiUsage.of(o.stats().promptTokens(), o.stats().evalCount());
        if (stream) {
            event(ex, new OpenAiCompletion(id, "text_completion", created, name, FINGERPRINT,
                    List.of(new OpenAiCompletion.Choice("", 0, finish)), null));
            if (usage) event(ex, new OpenAiCompletion(id, "text_completion", created, name, FINGERPRINT, List.of(), u));
            done(ex);
        } else {
            ex.sendJson(200, new OpenAiCompletion(id, "text_completion", created, name, FINGERPRINT,
                    List.of(new OpenAiCompletion.Choice(text.toString(), 0, finish)), u));
        }
    }

    // ---------------------------------------------------------------- models

    void models(Exchange ex) throws IOException {
        List<OpenAiModel> data = new ArrayList<>();
        for (ResolvedModel m : lookup.resolver().list()) {
            data.add(new OpenAiModel(m.ref().display(), "model", m.modifiedAt().getEpochSecond(), m.ref().namespace()));
        }
        data.sort(Comparator.comparing(OpenAiModel::id));
        ex.sendJson(200, new OpenAiModel.ModelList("list", data));
    }

    void model(Exchange ex) {
        String id = ex.pathParam();
        ResolvedModel m = ModelRef.isValid(id) ? lookup.find(ModelRef.parse(id)).orElse(null) : null;
        if (m == null) throw ApiException.notFound("model \"" + id + "\" not found");
        ex.sendJson(200, new OpenAiModel(id, "model", m.modifiedAt().getEpochSecond(), m.ref().namespace()));
    }

    // ---------------------------------------------------------------- embeddings

    void embeddings(Exchange ex) {
        JsonNode body = object(ex);
        String name = text(body, "model");
        ResolvedModel model = lookup.require(name);
        JsonNode in = body.get("input");
        if (in == null || in.isNull() || in.isArray() && in.isEmpty()) throw ApiException.badRequest("invalid input");
        List<String> inputs = EmbedEndpoints.inputs(in, "invalid input");
        String encoding = body.hasNonNull("encoding_format") ? body.get("encoding_format").asText() : "float";
        if (!encoding.equals("float") && !encoding.equals("base64")) {
            throw ApiException.badRequest("Invalid value for 'encoding_format' = " + encoding + ". Supported values: ['float', 'base64'].");
        }
        Integer dims = body.hasNonNull("dimensions") ? body.get("dimensions").asInt() : null;
        if (dims != null && dims < 1) throw ApiException.badRequest("dimensions must be at least 1");
        InferenceService.Embeddings e = inference.embed(model, inputs, true, null, lookup.keepAlive(null), ex.cancellation());
        List<OpenAiEmbeddings.Item> data = new ArrayList<>();
        for (int i = 0; i < e.vectors().size(); i++) {
            float[] v = EmbedEndpoints.normalize(e.vectors().get(i), dims);
            Object emb = encoding.equals("base64") ? base64(v) : v;
            data.add(new OpenAiEmbeddings.Item("embedding", emb, i));
        }
        ex.sendJson(200, new OpenAiEmbeddings("list", data, name, new OpenAiEmbeddings.Usage(e.promptTokens(), e.promptTokens())));
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return Base64.getEncoder().encodeToString(b.array());
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode object(Exchange ex) {
        JsonNode n = ex.json();
        if (!n.isObject()) throw ApiException.badRequest("request body must be a JSON object");
        return n;
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return null;
        if (!n.isTextual()) throw ApiException.badRequest("invalid " + field + ": expected a string");
        return n.asText();
    }

    private static boolean bool(JsonNode body, String field, boolean dflt) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) return dflt;
        if (!n.isBoolean()) throw ApiException.badRequest("invalid " + field + ": expected a boolean");
        return n.booleanValue();
    }
}
