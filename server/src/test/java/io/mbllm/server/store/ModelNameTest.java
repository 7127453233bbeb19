package io.mbllm.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModelNameTest {

    @ParameterizedTest
    @CsvSource({
            "rocket-3b, registry.ollama.ai/library/rocket-3b:latest, rocket-3b:latest",
            "rocket-3b:latest, registry.ollama.ai/library/rocket-3b:latest, rocket-3b:latest",
            "rocket-3b:q4, registry.ollama.ai/library/rocket-3b:q4, rocket-3b:q4",
            "registry.ollama.ai/library/rocket-3b:latest, registry.ollama.ai/library/rocket-3b:latest, rocket-3b:latest",
            "me/rocket:v1.0, registry.ollama.ai/me/rocket:v1.0, me/rocket:v1.0",
            "example.com:5000/me/rocket, example.com:5000/me/rocket:latest, example.com:5000/me/rocket:latest",
            "example.com/library/m:t, example.com/library/m:t, example.com/library/m:t",
            "https://example.com/ns/m:t, example.com/ns/m:t, example.com/ns/m:t",
            "Llama3.2:3b-instruct-q4_K_M, registry.ollama.ai/library/Llama3.2:3b-instruct-q4_K_M, Llama3.2:3b-instruct-q4_K_M",
            "REGISTRY.OLLAMA.AI/LIBRARY/x:y, REGISTRY.OLLAMA.AI/LIBRARY/x:y, x:y",
            "_x_, registry.ollama.ai/library/_x_:latest, _x_:latest"})
    void parsesAndDisplays(String input, String full, String display) throws Exception {
        ModelName n = ModelName.parse(input);
        assertEquals(full, n.toString());
        assertEquals(display, n.displayShortest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", "rocket:", "/rocket", "ns/", "a//b", "-rocket", ".rocket", "rocket:-x",
            "rocket:.x", "ns.x/rocket", "na me", "rocket@sha256:abc", "rocket:t/x", "a/b/c/d", "h/ns/m:t:u",
            "rocket:tag!", "-host/ns/m", "mödel"})
    void rejectsInvalidNames(String s) {
        InvalidModelNameException e = assertThrows(InvalidModelNameException.class, () -> ModelName.parse(s));
        assertEquals("invalid model name", e.getMessage());
        assertEquals(s, e.input());
        assertFalse(ModelName.isValid(s));
    }

    @Test
    void lengthLimits() {
        String p80 = "a".repeat(80);
        assertTrue(ModelName.isValid(p80 + ":" + p80));
        assertTrue(ModelName.isValid(p80 + "/" + p80 + ":" + p80));
        assertFalse(ModelName.isValid("a".repeat(81)));
        assertFalse(ModelName.isValid("m:" + "a".repeat(81)));
        assertFalse(ModelName.isValid("a".repeat(81) + "/m"));
        assertTrue(ModelName.isValid("h".repeat(350) + "/ns/m"));
        assertFalse(ModelName.isValid("h".repeat(351) + "/ns/m"));
    }

    @Test
    void caseInsensitiveMatchAndManifestPath() throws Exception {
        ModelName a = ModelName.parse("Rocket-3B:Q4");
        ModelName b = ModelName.parse("rocket-3b:q4");
        assertTrue(a.equalsIgnoreCase(b));
        assertFalse(a.equals(b));
        assertEquals(a.caseFoldKey(), b.caseFoldKey());
        assertEquals(Path.of("/s/manifests/registry.ollama.ai/library/rocket-3b/q4"),
                b.manifestPath(Path.of("/s/manifests")));
    }
}
