package io.mbllm.server.tools;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;

import io.mbllm.server.api.Json;

/**
 * Finds tool calls in a model's answer, in the formats chat templates teach: {@code <tool_call>{json}</tool_call>}
 * blocks (Qwen, Hermes), a {@code [TOOL_CALLS]} prefix followed by JSON (Mistral), or an answer that is itself
 * one or more JSON objects / an array of them (Llama 3.x). A call object is {@code {"name","arguments"}},
 * {@code {"name","parameters"}} or {@code {"function":{"name","arguments"}}}; string arguments holding JSON are
 * decoded. Only names of offered tools count; text that yields no call stays content.
 */
public final class ToolCallParser {
    /** Opening tag of the tagged format. */
    public static final String OPEN_TAG = "<tool_call>";
    /** Closing tag of the tagged format. */
    public static final String CLOSE_TAG = "</tool_call>";
    /** Prefix of the Mistral format. */
    public static final String MISTRAL_PREFIX = "[TOOL_CALLS]";

    /** Content left after removing the calls, and the calls in order. */
    public record Result(String content, List<ParsedToolCall> calls) {}

    private final Set<String> toolNames;

    /** A parser that accepts calls to {@code toolNames} (all names when empty). */
    public ToolCallParser(Set<String> toolNames) {
        this.toolNames = Set.copyOf(toolNames);
    }

    /** Splits {@code output} into content and calls. */
    public Result parse(String output) {
        if (output.contains(OPEN_TAG)) return parseTagged(output);
        String t = output.strip();
        if (t.startsWith(MISTRAL_PREFIX)) {
            List<ParsedToolCall> calls = parseJsonValues(t.substring(MISTRAL_PREFIX.length()));
            if (!calls.isEmpty()) return new Result("", calls);
        }
        if (t.startsWith("{") || t.startsWith("[")) {
            List<ParsedToolCall> calls = parseJsonValues(t);
            if (!calls.isEmpty()) return new Result("", calls);
        }
        return new Result(output, List.of());
    }

    private Result parseTagged(String output) {
        StringBuilder content = new StringBuilder();
        List<ParsedToolCall> calls = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = output.indexOf(OPEN_TAG, i);
            if (open < 0) {
                content.append(output, i, output.length());
                break;
            }
            content.append(output, i, open);
            int start = open + OPEN_TAG.length();
            int close = output.indexOf(CLOSE_TAG, start);
            int end = close < 0 ? output.length() : close;
            List<ParsedToolCall> found = parseJsonValues(output.substring(start, end));
            if (found.isEmpty()) content.append(output, open, close < 0 ? end : close + CLOSE_TAG.length());
            calls.addAll(found);
            i = close < 0 ? output.length() : close + CLOSE_TAG.length();
        }
        return new Result(calls.isEmpty() ? output : content.toString().strip(), calls);
    }

    /** Every call object among the JSON values in {@code text} (parsing stops at the first non-JSON text). */
    List<ParsedToolCall> parseJsonValues(String text) {
        List<ParsedToolCall> calls = new ArrayList<>();
        try (JsonParser p = Json.MAPPER.createParser(text)) {
            while (true) {
                JsonToken tok;
                try {
                    tok = p.nextToken();
                } catch (IOException e) {
                    break;
                }
                if (tok == null) break;
                JsonNode v;
                try {
                    v = Json.MAPPER.readTree(p);
                } catch (IOException e) {
                    break;
                }
                if (v == null) break;
                if (v.isArray()) {
                    for (JsonNode e : v) addCall(e, calls);
                } else {
                    addCall(v, calls);
                }
            }
        } catch (IOException e) {
            // unreadable text: no calls
        }
        return calls;
    }

    @SuppressWarnings("unchecked")
    private void addCall(JsonNode v, List<ParsedToolCall> out) {
        if (!v.isObject()) return;
        JsonNode fn = v.has("function") && v.get("function").isObject() ? v.get("function") : v;
        JsonNode name = fn.get("name");
        if (name == null || !name.isTextual()) return;
        if (!toolNames.isEmpty() && !toolNames.contains(name.asText())) return;
        JsonNode args = fn.has("arguments") ? fn.get("arguments") : fn.get("parameters");
        if (args != null && args.isTextual()) {
            try {
                args = Json.MAPPER.readTree(args.asText());
            } catch (IOException e) {
                return;
            }
        }
        Map<String, Object> map = args != null && args.isObject() ? Json.MAPPER.convertValue(args, Map.class) : Map.of();
        out.add(new ParsedToolCall(name.asText(), map));
    }
}
