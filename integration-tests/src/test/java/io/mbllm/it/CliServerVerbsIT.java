package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The CLI's client verbs end to end against the running packaged server, each run as a subprocess of the jar:
 * create from a Modelfile (plain, {@code -q}, tag shorthand), list, show (and its selectors), ps, stop, cp, rm,
 * and the error output and exit codes. The steps build on each other, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliServerVerbsIT {
    @TempDir
    static Path dir;
    static ServerProcess server;
    static Map<String, String> env;

    static final String MODELFILE = """
            FROM %s
            TEMPLATE {{ .Prompt }}
            SYSTEM You tell stories.
            PARAMETER temperature 0
            PARAMETER num_ctx 512
            PARAMETER stop Lily
            """;

    @BeforeAll
    static void start() throws Exception {
        Cli.Result probe = Cli.run(dir, Map.of(), "create", "--help");
        // the client verbs arrive with branch clicreate; until then the jar has no 'create' verb
        Assumptions.assumeTrue(probe.exit() == 0 && probe.out().startsWith("Usage: mbllm create"),
                "the packaged CLI has no 'create' verb yet");
        server = ServerProcess.start(dir.resolve("models"));
        env = server.clientEnv();
        Files.writeString(dir.resolve("Modelfile"), MODELFILE.formatted(TestModels.stories()));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Cli.Result mbllm(String... args) throws Exception {
        return Cli.run(dir, env, args);
    }

    static JsonNode show(String model) throws Exception {
        var r = server.post("/api/show", "{\"model\":\"" + model + "\"}");
        assertEquals(200, r.statusCode(), r.body());
        return Fixture.json(r.body());
    }

    @Test
    @Order(1)
    void createFromAModelfile() throws Exception {
        Cli.Result r = mbllm("create", "tales", "-f", "Modelfile");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("success"), r.toString());
        JsonNode s = show("tales");
        assertEquals("You tell stories.", s.get("system").asText());
        assertEquals("{{ .Prompt }}", s.get("template").asText());
        assertEquals("F32", s.get("details").get("quantization_level").asText());
        // the Modelfile's parameters apply when the server runs it: temperature 0, stop "Lily"
        JsonNode g = Fixture.json(server.post("/api/generate", "{\"model\":\"tales\",\"prompt\":\"Once upon a time\",\"stream\":false,"
                + "\"options\":{\"num_predict\":60}}").body());
        String golden = TestModels.onceUponATime60();
        assertEquals(golden.substring(0, golden.indexOf("Lily")), g.get("response").asText());
    }

    @Test
    @Order(2)
    void createQuantizedByFlagAndByTag() throws Exception {
        Cli.Result q = mbllm("create", "tales:small", "-f", "Modelfile", "-q", "q4_K_S");
        assertEquals(0, q.exit(), q.toString());
        assertEquals("Q4_K_S", show("tales:small").get("details").get("quantization_level").asText());
        Cli.Result tag = mbllm("create", "tales:q4", "-f", "Modelfile");
        assertEquals(0, tag.exit(), tag.toString());
        assertEquals("Q4_K_M", show("tales:q4").get("details").get("quantization_level").asText(), "tag shorthand :q4");
        // the quantized model still tells a story
        JsonNode g = Fixture.json(server.post("/api/generate", "{\"model\":\"tales:q4\",\"prompt\":\"Once upon a time\",\"stream\":false,"
                + "\"options\":{\"num_predict\":20,\"stop\":[]}}").body());
        assertEquals(20, g.get("eval_count").asInt(), g.toString());
        assertTrue(g.get("response").asText().matches("(?s)[ -~\\n]+"), g.toString());

        Cli.Result missing = mbllm("create", "x", "-f", "NoSuchModelfile");
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("Error: specified Modelfile wasn't found"), missing.toString());
        Cli.Result badName = mbllm("create", "bad name!", "-f", "Modelfile");
        assertEquals(1, badName.exit(), badName.toString());
        assertTrue(badName.err().startsWith("Error: "), badName.toString());
    }

    @Test
    @Order(3)
    void listShowsEveryModelWithItsId() throws Exception {
        Cli.Result r = mbllm("list");
        assertEquals(0, r.exit(), r.toString());
        String[] lines = r.out().split("\n");
        assertTrue(lines[0].matches("NAME\\s+ID\\s+SIZE\\s+MODIFIED\\s*"), lines[0]);
        JsonNode tags = Fixture.json(server.get("/api/tags").body()).get("models");
        assertEquals(tags.size(), lines.length - 1, r.out());
        for (JsonNode m : tags) {
            String id = m.get("digest").asText().substring(0, 12);
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith(m.get("name").asText() + " ") && l.contains(id) && l.endsWith(" ago")),
                    m + "\n" + r.out());
        }
        assertTrue(r.out().contains("tales:latest") && r.out().contains("tales:q4") && r.out().contains("tales:small"));
        Cli.Result prefix = mbllm("ls", "TALES:Q");
        assertEquals(0, prefix.exit(), prefix.toString());
        assertEquals(2, prefix.out().split("\n").length, "header + tales:q4: " + prefix.out());
    }

    @Test
    @Order(4)
    void showAndItsSelectors() throws Exception {
        Cli.Result all = mbllm("show", "tales");
        assertEquals(0, all.exit(), all.toString());
        assertTrue(all.out().contains("Model") && all.out().contains("architecture") && all.out().contains("llama"), all.out());
        assertTrue(all.out().contains("You tell stories."), all.out());
        Cli.Result mf = mbllm("show", "tales", "--modelfile");
        assertEquals(0, mf.exit(), mf.toString());
        assertTrue(mf.out().contains("FROM ") && mf.out().contains("TEMPLATE") && mf.out().contains("PARAMETER stop"), mf.out());
        assertEquals(show("tales").get("modelfile").asText().strip(), mf.out().strip());
        Cli.Result sys = mbllm("show", "tales", "--system");
        assertEquals("You tell stories.", sys.out().strip());
        Cli.Result tpl = mbllm("show", "tales", "--template");
        assertEquals("{{ .Prompt }}", tpl.out().strip());
        Cli.Result params = mbllm("show", "tales", "--parameters");
        assertTrue(params.out().contains("stop") && params.out().contains("\"Lily\"") && params.out().contains("num_ctx"), params.out());
        Cli.Result two = mbllm("show", "tales", "--system", "--template");
        assertEquals(1, two.exit(), two.toString());
        assertTrue(two.err().contains("only one of"), two.toString());
        Cli.Result none = mbllm("show", "nosuch");
        assertEquals(1, none.exit(), none.toString());
        assertTrue(none.err().contains("Error: model 'nosuch' not found"), none.toString());
    }

    @Test
    @Order(5)
    void psAndStop() throws Exception {
        assertEquals(200, server.post("/api/generate", "{\"model\":\"tales\",\"prompt\":\"\"}").statusCode(), "load");
        Cli.Result ps = mbllm("ps");
        assertEquals(0, ps.exit(), ps.toString());
        assertTrue(ps.out().lines().findFirst().orElse("").matches("NAME\\s+ID\\s+SIZE\\s+PROCESSOR\\s+CONTEXT\\s+UNTIL\\s*"), ps.out());
        assertTrue(ps.out().contains("tales:latest") && ps.out().contains("100% CPU") && ps.out().contains("from now"), ps.out());
        Cli.Result stop = mbllm("stop", "tales");
        assertEquals(0, stop.exit(), stop.toString());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (loaded().contains("tales:latest") && System.nanoTime() < deadline) Thread.sleep(50);
        assertFalse(loaded().contains("tales:latest"), "stopped: " + loaded());
        assertFalse(mbllm("ps").out().contains("tales:latest"));
        Cli.Result none = mbllm("stop", "nosuch");
        assertEquals(1, none.exit(), none.toString());
        assertTrue(none.err().contains("couldn't find model \"nosuch\" to stop"), none.toString());
    }

    static java.util.Set<String> loaded() throws Exception {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (JsonNode m : Fixture.json(server.get("/api/ps").body()).get("models")) names.add(m.get("name").asText());
        return names;
    }

    @Test
    @Order(6)
    void copyAndRemove() throws Exception {
        Cli.Result cp = mbllm("cp", "tales", "tales-copy");
        assertEquals(0, cp.exit(), cp.toString());
        assertEquals("copied 'tales' to 'tales-copy'", cp.out().strip());
        assertEquals(show("tales").get("modelfile").asText().replace("tales:latest", "x"),
                show("tales-copy").get("modelfile").asText().replace("tales-copy:latest", "x"));
        Cli.Result rm = mbllm("rm", "tales-copy", "tales:small");
        assertEquals(0, rm.exit(), rm.toString());
        assertEquals("deleted 'tales-copy'\ndeleted 'tales:small'", rm.out().strip());
        assertEquals(404, server.post("/api/show", "{\"model\":\"tales-copy\"}").statusCode());
        assertEquals(200, server.post("/api/show", "{\"model\":\"tales\"}").statusCode(), "the source stays (blobs shared)");
        Cli.Result none = mbllm("rm", "nosuch");
        assertEquals(1, none.exit(), none.toString());
        assertTrue(none.err().contains("Error: model 'nosuch' not found"), none.toString());
        Cli.Result cpNone = mbllm("cp", "nosuch", "b");
        assertEquals(1, cpNone.exit(), cpNone.toString());
        assertTrue(cpNone.err().contains("Error: model \"nosuch\" not found"), cpNone.toString());
    }

    @Test
    @Order(7)
    void noServerIsAClearError() throws Exception {
        int closed;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0)) {
            closed = ss.getLocalPort();
        }
        Cli.Result r = Cli.run(dir, Map.of("MBLLM_HOST", "127.0.0.1:" + closed), "list");
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.err().contains("Error: could not connect to mbllm server, run 'mbllm serve' to start it"), r.toString());
    }
}
