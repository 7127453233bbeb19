package io.mbllm.it;

import static io.mbllm.it.LangChainSupport.CALL_FORMAT;
import static io.mbllm.it.LangChainSupport.CITIES;
import static io.mbllm.it.LangChainSupport.OK_N_FORMAT;
import static io.mbllm.it.LangChainSupport.WEATHER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;

/**
 * LangChain4j's OpenAI client ({@code langchain4j-open-ai}) against the packaged server's {@code /v1} API:
 * plain and streaming chats checked against run.c, structured output, and a tool-call round trip on the
 * synthetic ChatML model.
 */
class OpenAiClientIT {
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

    static OpenAiChatModel.OpenAiChatModelBuilder chat(String model) {
        return OpenAiChatModel.builder().baseUrl(fx.server.baseUrl() + "/v1").apiKey("not-needed").modelName(model)
                .timeout(Duration.ofSeconds(60)).maxRetries(0)
                .supportedCapabilities(Capability.RESPONSE_FORMAT_JSON_SCHEMA).strictJsonSchema(true);
    }

    static OpenAiStreamingChatModel.OpenAiStreamingChatModelBuilder streaming(String model) {
        return OpenAiStreamingChatModel.builder().baseUrl(fx.server.baseUrl() + "/v1").apiKey("not-needed").modelName(model)
                .timeout(Duration.ofSeconds(60)).strictJsonSchema(true);
    }

    @Test
    void plainChatIsRunCsGreedyText() {
        ChatResponse r = chat("stories").temperature(0.0).maxTokens(60).build()
                .chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time")).build());
        assertEquals(golden, r.aiMessage().text());
        assertEquals(FinishReason.LENGTH, r.finishReason());
        assertEquals(60, r.tokenUsage().outputTokenCount());
        assertEquals(5, r.tokenUsage().inputTokenCount());
        assertEquals(65, r.tokenUsage().totalTokenCount());
        assertEquals("stories", r.metadata().modelName());
        assertTrue(r.metadata().id().startsWith("chatcmpl-"), r.metadata().id());
    }

    @Test
    void maxCompletionTokensAndStopApply() {
        ChatResponse r = chat("stories").temperature(0.0).maxCompletionTokens(60).stop(List.of("Lily")).build()
                .chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time")).build());
        assertEquals(golden.substring(0, golden.indexOf("Lily")), r.aiMessage().text());
        assertEquals(FinishReason.STOP, r.finishReason());
    }

    @Test
    void streamingChatDeliversTheSameTextAndUsage() throws Exception {
        LangChainSupport.Streamed s = LangChainSupport.stream(streaming("stories").temperature(0.0).maxTokens(60).build(),
                ChatRequest.builder().messages(UserMessage.from("Once upon a time")).build());
        assertTrue(s.partials().size() > 10, "streamed in pieces: " + s.partials().size());
        assertEquals(golden, s.text());
        assertEquals(golden, s.response().aiMessage().text());
        assertEquals(FinishReason.LENGTH, s.response().finishReason());
        assertEquals(60, s.response().tokenUsage().outputTokenCount(), "usage chunk (stream_options.include_usage)");
        assertEquals(5, s.response().tokenUsage().inputTokenCount());
    }

    @Test
    void structuredOutputFollowsTheSchema() throws Exception {
        for (String model : List.of("stories", "chatml")) {
            ChatRequest req = ChatRequest.builder().messages(SystemMessage.from("Answer in JSON."), UserMessage.from("Lily"))
                    .responseFormat(OK_N_FORMAT).build();
            ChatResponse r = chat(model).temperature(0.5).seed(5).maxTokens(300).build().chat(req);
            JsonNode o = Fixture.json(r.aiMessage().text());
            assertTrue(o.get("ok").isBoolean() && o.get("n").isIntegralNumber() && o.size() == 2, model + ": " + o);
            assertEquals(FinishReason.STOP, r.finishReason());

            LangChainSupport.Streamed s = LangChainSupport.stream(streaming(model).temperature(0.5).seed(5).maxTokens(300).build(), req);
            assertEquals(o, Fixture.json(s.text()), model + ": same seed streamed");
        }
    }

    static void assertWeatherCall(ToolExecutionRequest call) throws Exception {
        assertEquals("get_weather", call.name());
        JsonNode args = Fixture.json(call.arguments());
        assertTrue(CITIES.contains(args.get("city").asText()), call.arguments());
        assertTrue(call.id() != null && call.id().startsWith("call_"), "tool-call id is required by the client: " + call.id());
    }

    @Test
    void toolCallRoundTripOnTheChatMlModel() throws Exception {
        OpenAiChatModel m = chat("chatml").temperature(0.0).maxTokens(OllamaClientIT.TOOL_TOKENS).build();
        ChatRequest ask = ChatRequest.builder().messages(UserMessage.from("Weather in Paris?")).toolSpecifications(WEATHER)
                .responseFormat(CALL_FORMAT).build();
        ChatResponse r = m.chat(ask);
        AiMessage ai = r.aiMessage();
        assertTrue(ai.hasToolExecutionRequests(), "answered with a call: " + ai);
        ToolExecutionRequest call = ai.toolExecutionRequests().getFirst();
        assertWeatherCall(call);
        assertEquals(FinishReason.TOOL_EXECUTION, r.finishReason());

        // the call (by id) and its result go back; the server resolves the tool name from the id
        ChatResponse next = chat("chatml").temperature(0.0).maxTokens(8).build().chat(ChatRequest.builder()
                .messages(UserMessage.from("Weather in Paris?"), ai, ToolExecutionResultMessage.from(call, "rain"))
                .toolSpecifications(WEATHER).build());
        assertFalse(next.aiMessage().hasToolExecutionRequests());
        assertTrue(next.tokenUsage().inputTokenCount() > r.tokenUsage().inputTokenCount());

        LangChainSupport.Streamed s = LangChainSupport.stream(streaming("chatml").temperature(0.0).maxTokens(OllamaClientIT.TOOL_TOKENS).build(), ask);
        AiMessage sai = s.response().aiMessage();
        assertTrue(sai.hasToolExecutionRequests(), "streamed call assembled by index: " + sai);
        assertEquals(1, sai.toolExecutionRequests().size());
        assertWeatherCall(sai.toolExecutionRequests().getFirst());
        assertEquals(Fixture.json(call.arguments()), Fixture.json(sai.toolExecutionRequests().getFirst().arguments()));
        assertEquals(FinishReason.TOOL_EXECUTION, s.response().finishReason());
    }

    @Test
    void errorsMapToTheClientsExceptions() {
        assertThrows(ModelNotFoundException.class, () -> chat("no-such-model").build().chat("hi"));
        // a 400 (bad option value) is a non-retriable invalid request
        assertThrows(InvalidRequestException.class, () -> chat("stories").temperature(-3.0).maxTokens(1).build().chat("hi"));
    }
}
