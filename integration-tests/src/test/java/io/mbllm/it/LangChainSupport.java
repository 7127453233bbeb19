package io.mbllm.it;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;

/** Shared LangChain4j pieces: the weather tool, the schema that forces a call to it, and a blocking stream collector. */
final class LangChainSupport {
    private LangChainSupport() {}

    static final List<String> CITIES = List.of("Tokyo", "Paris");

    /** {@code get_weather(city)} with the city an enum. */
    static final ToolSpecification WEATHER = ToolSpecification.builder()
            .name("get_weather")
            .description("Weather of a city")
            .parameters(JsonObjectSchema.builder().addEnumProperty("city", CITIES).required("city").build())
            .build();

    /**
     * A JSON schema whose only valid values are calls {@code {"name":"get_weather","arguments":{"city":..}}}: a
     * random or story model constrained by it answers with a tool call, which the server must parse.
     */
    static final ResponseFormat CALL_FORMAT = ResponseFormat.builder().type(ResponseFormatType.JSON)
            .jsonSchema(JsonSchema.builder().name("call").rootElement(JsonObjectSchema.builder()
                    .addProperty("name", JsonEnumSchema.builder().enumValues("get_weather").build())
                    .addProperty("arguments", JsonObjectSchema.builder().addEnumProperty("city", CITIES).required("city")
                            .additionalProperties(false).build())
                    .required("name", "arguments").additionalProperties(false).build()).build())
            .build();

    /** An object {@code {"ok": boolean, "n": integer}}. */
    static final ResponseFormat OK_N_FORMAT = ResponseFormat.builder().type(ResponseFormatType.JSON)
            .jsonSchema(JsonSchema.builder().name("okn").rootElement(JsonObjectSchema.builder()
                    .addBooleanProperty("ok").addIntegerProperty("n").required("ok", "n").additionalProperties(false).build()).build())
            .build();

    /** What a streaming call delivered. */
    record Streamed(List<String> partials, ChatResponse response) {
        String text() {
            return String.join("", partials);
        }
    }

    /** Runs {@code request} on {@code model} and waits (60 s at most) for completion or error. */
    static Streamed stream(StreamingChatModel model, ChatRequest request) throws Exception {
        List<String> partials = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                partials.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        return new Streamed(partials, done.get(60, TimeUnit.SECONDS));
    }
}
