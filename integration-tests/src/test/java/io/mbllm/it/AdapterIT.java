package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.ollama.OllamaChatModel;
import io.mbllm.testkit.SharedData;

/**
 * Issue 7's acceptance: a model created by the packaged CLI from a Modelfile with {@code FROM stories260K} and
 * {@code ADAPTER} (LoRA adapter (a) of {@code testdata/lora-oracle}) answers LangChain4j's
 * {@link OllamaChatModel} at temperature 0 with the greedy text of the model merged by {@code mbllm merge-lora}
 * (created as a second model), which is llama.cpp's text for that adapter, and not the base model's text.
 */
class AdapterIT {
    static final String PARAMS = """
            TEMPLATE {{ .Prompt }}
            PARAMETER temperature 0
            PARAMETER repeat_penalty 1
            PARAMETER num_predict 48
            """;

    @TempDir
    static Path dir;
    static ServerProcess server;
    static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        server = ServerProcess.start(dir.resolve("models"));
        env = server.clientEnv();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static void create(String name, String modelfile) throws Exception {
        Files.writeString(dir.resolve(name + ".Modelfile"), modelfile);
        Cli.Result r = Cli.run(dir, env, "create", name, "-f", name + ".Modelfile");
        assertEquals(0, r.exit(), r.toString());
    }

    static String chat(String model) {
        OllamaChatModel ollama = OllamaChatModel.builder().baseUrl(server.baseUrl()).modelName(model).temperature(0.0)
                .timeout(Duration.ofSeconds(60)).build();
        return ollama.chat(ChatRequest.builder().messages(UserMessage.from("Once upon a time")).build()).aiMessage().text();
    }

    static String oracleText(String name) throws Exception {
        return Fixture.json(Files.readString(SharedData.require("testdata/lora-oracle/" + name + ".greedy.json")))
                .get("generated_text").asText();
    }

    @Test
    void chatWithAModelCreatedWithAdapterEqualsTheMergedModel() throws Exception {
        Path stories = TestModels.stories();
        Path adapter = SharedData.require("testdata/lora-oracle/stories260K-lora-a.f32.gguf");
        create("tale-lora", "FROM " + stories + "\nADAPTER " + adapter + "\n" + PARAMS);
        create("tale-base", "FROM " + stories + "\n" + PARAMS);

        Path merged = dir.resolve("merged-a.gguf");
        Cli.Result m = Cli.run(dir, env, "merge-lora", stories.toString(), adapter.toString(), merged.toString());
        assertEquals(0, m.exit(), m.toString());
        create("tale-merged", "FROM " + merged + "\n" + PARAMS);

        String withAdapter = chat("tale-lora");
        String mergedText = chat("tale-merged");
        String base = chat("tale-base");
        assertEquals(mergedText, withAdapter);
        assertEquals(oracleText("lora-a.s1"), withAdapter);
        assertEquals(oracleText("base"), base);
        assertNotEquals(base, withAdapter);

        // show lists the adapter blob, the CLI's show --modelfile too
        JsonNode show = Fixture.json(server.post("/api/show", "{\"model\":\"tale-lora\"}").body());
        String digest = "sha256-" + Fixture.sha256(adapter);
        assertTrue(show.get("modelfile").asText().contains("\nADAPTER ") && show.get("modelfile").asText().contains(digest),
                show.get("modelfile").asText());
        Cli.Result s = Cli.run(dir, env, "show", "tale-lora", "--modelfile");
        assertEquals(0, s.exit(), s.toString());
        assertTrue(s.out().lines().anyMatch(l -> l.startsWith("ADAPTER ") && l.endsWith(digest)), s.out());

        // per request (mbllm's lora field): scale 0 turns the adapter off
        JsonNode off = Fixture.json(server.post("/api/generate", "{\"model\":\"tale-lora\",\"prompt\":\"Once upon a time\","
                + "\"stream\":false,\"lora\":[{\"id\":0,\"scale\":0}]}").body());
        assertEquals(base, off.get("response").asText());
    }
}
