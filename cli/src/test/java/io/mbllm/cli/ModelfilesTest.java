package io.mbllm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mbllm.engine.template.go.ChatMessage;
import io.mbllm.engine.template.go.PromptTemplate;
import io.mbllm.server.modelfile.Modelfile;
import io.mbllm.server.modelfile.ModelfileParser;
import io.mbllm.server.modelfile.ParamValue;
import io.mbllm.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Modelfiles shipped in {@code modelfiles/}: they parse, the ChatML template renders, FROM resolves. */
class ModelfilesTest {
    static final Path DIR = Path.of("..", "modelfiles").toAbsolutePath().normalize();

    static Modelfile parse(String name) throws Exception {
        return ModelfileParser.parse(DIR.resolve(name), w -> { throw new AssertionError("warning: " + w); });
    }

    @Test
    void rocketUsesChatMlWithItsStops() throws Exception {
        Modelfile mf = parse("rocket-3b.Modelfile");
        assertEquals(List.of("./rocket-3b-f16.gguf"), mf.from());
        assertEquals(new ParamValue.StringList(List.of("<|im_end|>", "<|im_start|>")), mf.parameters().get("stop").orElseThrow());
        PromptTemplate t = PromptTemplate.parse(mf.template().orElseThrow());
        String prompt = t.render(List.of(ChatMessage.system(mf.system().orElseThrow()), ChatMessage.user("Hi"),
                ChatMessage.assistant("Hello!"), ChatMessage.user("Is Toronto in Canada?")), List.of());
        assertEquals("<|im_start|>system\nYou are Rocket, a concise and helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n"
                + "<|im_start|>user\nIs Toronto in Canada?<|im_end|>\n<|im_start|>assistant\n", prompt);
    }

    @Test
    void rocketPlaceholderIsReportedAsAMissingFile() throws Exception {
        assumeTrue(!Files.exists(DIR.resolve("rocket-3b-f16.gguf")));
        CliException e = assertThrows(CliException.class,
                () -> ModelfileRequest.build("rocket-3b:q4", parse("rocket-3b.Modelfile"), DIR, null));
        assertTrue(e.getMessage().startsWith("FROM ./rocket-3b-f16.gguf: no such file"), e.getMessage());
    }

    @Test
    void storiesIsRawPromptAndResolvesToTheSharedModel() throws Exception {
        Modelfile mf = parse("stories260K.Modelfile");
        assertEquals("{{ .Prompt }}", mf.template().orElseThrow());
        assertEquals(List.of("../../shared/models/stories260K.gguf"), mf.from());
        Path shared = SharedData.require("models/stories260K.gguf");
        Path resolved = DIR.resolve(mf.from().getFirst()).normalize();
        assumeTrue(Files.exists(resolved), "repository and shared/ are not siblings here: " + resolved);
        ModelfileRequest req = ModelfileRequest.build("stories:q4", mf, DIR, null);
        assertEquals(shared.toRealPath(), req.uploads().getFirst().file());
        assertEquals("sha256:270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
                req.body().path("files").path("stories260K.gguf").asText());
    }

    @Test
    void storiesLoraNamesTwoAdaptersWithScales() throws Exception {
        Modelfile mf = parse("stories260K-lora.Modelfile");
        assertEquals(List.of("../../shared/testdata/lora-oracle/stories260K-lora-a.f32.gguf",
                "../../shared/testdata/lora-oracle/stories260K-lora-b.f32.gguf:0"), mf.adapters());
        Path resolved = DIR.resolve(mf.from().getFirst()).normalize();
        assumeTrue(Files.exists(resolved), "repository and shared/ are not siblings here: " + resolved);
        ModelfileRequest req = ModelfileRequest.build("stories-lora", mf, DIR, null);
        assertEquals(List.of("stories260K-lora-a.f32.gguf", "stories260K-lora-b.f32.gguf"),
                List.copyOf(iterable(req.body().path("adapters").fieldNames())));
        assertEquals(0.0, req.body().path("adapter_scales").path("stories260K-lora-b.f32.gguf").asDouble(-1));
        assertEquals(1, req.body().path("adapter_scales").size());
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
