package io.mbllm.engine.template;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.mbllm.testkit.SharedData;

/** Loads the shared chat-template vectors ({@code testdata/chat-templates}) and converts their messages. */
final class SharedChatData {
    private SharedChatData() {}

    static final String DIR = "testdata/chat-templates";
    /** The render date of {@code rendered-outputs.json}. */
    static final Clock RENDER_CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);

    private static final ObjectMapper JSON = new ObjectMapper();

    static Path dir() { return SharedData.require(DIR); }

    @SuppressWarnings("unchecked")
    static Map<String, Object> readJson(String file) throws IOException {
        return JSON.readValue(SharedData.require(DIR + "/" + file).toFile(), Map.class);
    }

    static String template(String file) throws IOException {
        return Files.readString(SharedData.require(DIR + "/" + file));
    }

    @SuppressWarnings("unchecked")
    static List<ChatMessage> messages(Object json) {
        List<ChatMessage> out = new ArrayList<>();
        for (Map<String, Object> m : (List<Map<String, Object>>) json) {
            List<ToolCall> calls = new ArrayList<>();
            if (m.get("tool_calls") instanceof List<?> tcs) {
                for (Object o : tcs) {
                    Map<String, Object> tc = (Map<String, Object>) o;
                    Map<String, Object> fn = (Map<String, Object>) tc.get("function");
                    calls.add(new ToolCall((String) tc.get("id"), (String) fn.get("name"), fn.get("arguments")));
                }
            }
            out.add(new ChatMessage((String) m.get("role"), (String) m.get("content"), calls,
                    (String) m.get("tool_call_id"), (String) m.get("name"), (String) m.get("reasoning_content")));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static List<ToolDefinition> tools(Object json) {
        List<ToolDefinition> out = new ArrayList<>();
        if (json == null) return out;
        for (Map<String, Object> t : (List<Map<String, Object>>) json) {
            Map<String, Object> fn = (Map<String, Object>) t.get("function");
            out.add(new ToolDefinition((String) fn.get("name"), (String) fn.get("description"), (Map<String, Object>) fn.get("parameters")));
        }
        return out;
    }

    /** The first differing position, with context, for failure messages. */
    static String diff(String expected, String actual) {
        int i = 0;
        while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) i++;
        int from = Math.max(0, i - 60);
        return "first difference at char " + i + "\n  expected: …" + esc(expected.substring(from, Math.min(expected.length(), i + 100)))
                + "\n  actual:   …" + esc(actual.substring(Math.min(from, actual.length()), Math.min(actual.length(), i + 100)));
    }

    private static String esc(String s) { return s.replace("\n", "\\n"); }
}
