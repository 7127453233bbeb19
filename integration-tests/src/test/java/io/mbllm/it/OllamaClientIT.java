package io.mbllm.it;

import static io.mbllm.it.LangChainSupport.CALL_FORMAT;
import static io.mbllm.it.LangChainSupport.CITIES;
import static io.mbllm.it.LangChainSupport.OK_N_FORMAT;
import static io.mbllm.it.LangChainSupport.WEATHER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaModel;
import dev.langchain4j.model.ollama.OllamaModelCard;
import dev.langchain4j.model.ollama.OllamaModels;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.ollama.RunningOllamaModel;
import dev.langchain4j.model.output.FinishReason;

/**
 * LangChain4j's Ollama client ({@code langchain4j-ollama}) against the packaged server: plain, streaming, JSON
 * format and tool-calling chats on stories260K and on the synthetic ChatML model, and the models API.
 */
class OllamaClientIT {
    @TempDir
    static Path dir;
    static Fixture fx;
    static String golden;

    @BeforeAll
    static void start() throws Exception {
        golden = TestModels.onceUponATime60();
        fx = Fixture.start(dir);
    }

    @AfterAll
    static void stop() {
        if (fx != null) fx.close();
    }

    static OllamaChatModel.OllamaChatModelBuilder chat(String model) {
        return OllamaChatModel.builder().baseUrl(fx.server.baseUrl()).modelName(model).timeout(Duration.ofSeconds(60))
                .maxRetries(0);
    }

    static OllamaStreamingChatModel.OllamaStreamingChatModelBuilder streaming(String model) {
        return OllamaStreamingChatModel.builder().baseUrl(fx.server.baseUrl()).modelName(model).timeout(Duration.ofSeconds(60));
    }

    @Test
    void plainChatIsRunCsGreedyText() {
        OllamaChatModel m = chat("stories").temperature(0.0).numPredict(60).build();
        ChatResponse r = m.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time")).build());
        assertEquals(golden, r.aiMessage().text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(60, r.tokenUsage().outputTokenCount());
        assertEquals(5, r.tokenUsage().inputTokenCount(), "BOS + 4 prompt tokens");
        assertEquals("stories", r.metadata().modelName());
        // the convenience API on the same model, num_predict from the builder
        assertEquals(golden, m.chat("Once upon a time"));
    }

    @Test
    void streamingChatDeliversTheSameTextInPieces() throws Exception {
        OllamaStreamingChatModel m = streaming("stories").temperature(0.0).numPredict(60).build();
        LangChainSupport.Streamed s = LangChainSupport.stream(m, ChatRequest.builder().messages(UserMessage.from("Once upon a time")).build());
        assertTrue(s.partials().size() > 10, "streamed token by token: " + s.partials().size());
        assertEquals(golden, s.text());
        assertEquals(golden, s.response().aiMessage().text());
        assertEquals(FinishReason.LENGTH, s.response().finishReason());
        assertEquals(60, s.response().tokenUsage().outputTokenCount());
    }

    @Test
    void stopSequenceEndsTheAnswer() {
        OllamaChatModel m = chat("stories").temperature(0.0).numPredict(60).stop(List.of("Lily")).build();
        ChatResponse r = m.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time")).build());
        assertEquals(golden.substring(0, golden.indexOf("Lily")), r.aiMessage().text());
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void jsonSchemaFormatGivesAConformingObject() throws Exception {
        for (String model : List.of("stories", "chatml")) {
            OllamaChatModel m = chat(model).temperature(0.7).seed(11).numPredict(200).responseFormat(OK_N_FORMAT).build();
            JsonNode o = Fixture.json(m.chat(ChatRequest.builder().messages(UserMessage.from("Lily")).build()).aiMessage().text());
            assertTrue(o.get("ok").isBoolean() && o.get("n").isIntegralNumber() && o.size() == 2, model + ": " + o);

            OllamaStreamingChatModel sm = streaming(model).temperature(0.7).seed(11).numPredict(200).responseFormat(OK_N_FORMAT).build();
            LangChainSupport.Streamed s = LangChainSupport.stream(sm, ChatRequest.builder().messages(UserMessage.from("Lily")).build());
            JsonNode so = Fixture.json(s.text());
            assertEquals(o, so, model + ": same seed, same object streamed");
            assertEquals(FinishReason.STOP, s.response().finishReason(), "ends by itself once the object is complete");
        }
    }

    @Test
    void jsonModeStreamsAJsonPrefix() throws Exception {
        OllamaStreamingChatModel sm = streaming("stories").temperature(0.9).seed(3).numPredict(120).responseFormat(ResponseFormat.JSON).build();
        LangChainSupport.Streamed s = LangChainSupport.stream(sm, ChatRequest.builder().messages(UserMessage.from("Lily")).build());
        String text = s.text().strip();
        assertTrue(text.startsWith("{"), text);
        if (s.response().finishReason() == FinishReason.STOP) {
            assertTrue(Fixture.json(text).isObject(), text);
        } else {
            assertEquals(120, s.response().tokenUsage().outputTokenCount());
        }
    }

    static void assertWeatherCall(ToolExecutionRequest call) throws Exception {
        assertEquals("get_weather", call.name());
        JsonNode args = Fixture.json(call.arguments());
        assertTrue(CITIES.contains(args.get("city").asText()), call.arguments());
        assertEquals(1, args.size(), call.arguments());
        assertNotNull(call.id());
    }

    static final int TOOL_TOKENS = 600;

    @Test
    void toolCallRoundTripOnTheChatMlModel() throws Exception {
        // a random model pads JSON with whitespace (at most 8 in a row): room for it
        OllamaChatModel m = chat("chatml").temperature(0.0).numPredict(TOOL_TOKENS).build();
        ChatRequest ask = ChatRequest.builder().messages(UserMessage.from("Weather in Tokyo?")).toolSpecifications(WEATHER)
                .responseFormat(CALL_FORMAT).build();
        ChatResponse r = m.chat(ask);
        AiMessage ai = r.aiMessage();
        assertTrue(ai.hasToolExecutionRequests(), "answered with a call: " + ai);
        assertEquals(1, ai.toolExecutionRequests().size());
        ToolExecutionRequest call = ai.toolExecutionRequests().getFirst();
        assertWeatherCall(call);
        assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason());

        // second turn: the call and its result go back through the ChatML template; a free answer comes back
        ChatResponse next = m.chat(ChatRequest.builder().messages(UserMessage.from("Weather in Tokyo?"), ai,
                ToolExecutionResultMessage.from(call, "sunny"), UserMessage.from("Thanks")).toolSpecifications(WEATHER)
                .parameters(dev.langchain4j.model.ollama.OllamaChatRequestParameters.builder().maxOutputTokens(8).build()).build());
        assertFalse(next.aiMessage().hasToolExecutionRequests());
        assertNotNull(next.aiMessage().text());
        assertTrue(next.tokenUsage().inputTokenCount() > r.tokenUsage().inputTokenCount(), "the history was sent back");

        // streaming: the call arrives whole, the finish reason says so
        OllamaStreamingChatModel sm = streaming("chatml").temperature(0.0).numPredict(TOOL_TOKENS).build();
        LangChainSupport.Streamed s = LangChainSupport.stream(sm, ask);
        assertTrue(s.response().aiMessage().hasToolExecutionRequests(), s.response().toString());
        ToolExecutionRequest scall = s.response().aiMessage().toolExecutionRequests().getFirst();
        assertWeatherCall(scall);
        assertEquals(Fixture.json(call.arguments()), Fixture.json(scall.arguments()), "greedy: same call streamed");
        assertEquals(FinishReason.TOOL_EXECUTION, s.response().finishReason());
    }

    @Test
    void chatMlTemplateIsApplied() throws Exception {
        // the packaged server renders the GGUF's Jinja template, tools included (raw check of what the clients rely on)
        var r = fx.server.post("/api/chat", """
                {"model":"chatml","_debug_render_only":true,"messages":[{"role":"user","content":"Hi"}],
                 "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}}}]}""");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("<|im_start|>system\nTools: get_weather<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
                Fixture.json(r.body()).get("debug_info").get("rendered_template").asText());
        // and <|im_start|> in text is one control token (id 512), not its characters
        var g = Fixture.json(fx.server.post("/api/generate", "{\"model\":\"chatml\",\"template\":\"{{ .Prompt }}\",\"stream\":false,"
                + "\"prompt\":\"<|im_start|>user\",\"options\":{\"num_predict\":1}}").body());
        JsonNode ctx = g.get("context");
        assertEquals(1, ctx.get(0).asInt(), "BOS: " + g);
        assertEquals(512, ctx.get(1).asInt(), "<|im_start|>: " + g);
        assertFalse(g.get("response").asText().contains("<|im_end|>"));
    }

    @Test
    void modelsApiListsShowsAndReportsRunning() throws Exception {
        OllamaModels models = OllamaModels.builder().baseUrl(fx.server.baseUrl()).timeout(Duration.ofSeconds(30)).build();
        List<OllamaModel> list = models.availableModels().content();
        Map<String, OllamaModel> byName = list.stream().collect(Collectors.toMap(OllamaModel::getName, x -> x));
        assertEquals(Map.of("stories:latest", true, "chatml:latest", true),
                byName.keySet().stream().collect(Collectors.toMap(k -> k, k -> true)));
        OllamaModel stories = byName.get("stories:latest");
        long file = Files.size(TestModels.stories());
        assertTrue(stories.getSize() > file && stories.getSize() < file + 4096, "weights + config blob: " + stories.getSize());
        assertTrue(stories.getDigest().matches("[0-9a-f]{64}"), stories.getDigest());
        assertEquals("stories:latest", stories.getModel());
        assertTrue(stories.getModifiedAt().isAfter(OffsetDateTime.now().minusHours(1)));
        assertEquals("llama", stories.getDetails().getFamily());
        assertEquals("F32", stories.getDetails().getQuantizationLevel());
        assertEquals("gguf", stories.getDetails().getFormat());

        OllamaModelCard card = models.modelCard("stories").content();
        assertTrue(card.getModelfile().contains("FROM "), card.getModelfile());
        assertEquals("llama", card.getDetails().getFamily());
        assertTrue(card.getCapabilities().contains("completion"), card.getCapabilities().toString());
        assertEquals(64, ((Number) card.getModelInfo().get("llama.embedding_length")).intValue(), card.getModelInfo().toString());
        assertEquals(5, ((Number) card.getModelInfo().get("llama.block_count")).intValue());
        assertNotNull(card.getModifiedAt());
        assertThrows(ModelNotFoundException.class, () -> models.modelCard("no-such-model"));

        // load it, then /api/ps through the client
        chat("stories").numPredict(1).build().chat("Lily");
        List<RunningOllamaModel> running = models.runningModels().content();
        RunningOllamaModel rs = running.stream().filter(x -> x.getName().equals("stories:latest")).findFirst().orElseThrow(
                () -> new AssertionError("stories not running: " + running));
        assertTrue(rs.getExpiresAt().isAfter(OffsetDateTime.now()), "expires in the future: " + rs.getExpiresAt());
        assertEquals(stories.getDigest(), rs.getDigest());
        assertTrue(rs.getContextLength() > 0);
    }

    @Test
    void unknownModelIsModelNotFound() {
        assertThrows(ModelNotFoundException.class, () -> chat("no-such-model").build().chat("hi"));
    }
}
