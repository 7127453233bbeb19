package io.mbllm.server.modelfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelfileParserTest {

    private static final String CMD_ERR = "command must be one of \"from\", \"license\", \"template\", \"system\", "
            + "\"adapter\", \"draft\", \"renderer\", \"parser\", \"parameter\", \"message\", or \"requires\"";
    private static final String ROLE_ERR = "message role must be one of \"system\", \"user\", or \"assistant\"";

    private static String err(String text) {
        return assertThrows(ModelfileException.class, () -> ModelfileParser.parse(text)).getMessage();
    }

    @Test
    void parsesTheDocumentedExample() throws Exception {
        String text = """
                # comment
                FROM ./rocket-3b-f16.gguf
                PARAMETER temperature 0.7
                PARAMETER stop "<|im_end|>"
                PARAMETER stop "<|im_start|>"
                TEMPLATE \"""{{- range .Messages }}<|im_start|>{{ .Role }}
                {{ .Content }}<|im_end|>
                {{ end }}<|im_start|>assistant
                \"""
                SYSTEM You are Rocket, a concise assistant.
                MESSAGE user Is Toronto in Canada?
                MESSAGE assistant yes
                LICENSE \"""Apache-2.0 ...\"""
                """;
        Modelfile mf = ModelfileParser.parse(text);
        assertEquals(List.of("./rocket-3b-f16.gguf"), mf.from());
        assertEquals(new ParamValue.FloatValue(0.7f), mf.parameters().get("temperature").orElseThrow());
        assertEquals(new ParamValue.StringList(List.of("<|im_end|>", "<|im_start|>")),
                mf.parameters().get("stop").orElseThrow());
        assertEquals(Optional.of("{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n"
                + "{{ end }}<|im_start|>assistant\n"), mf.template());
        assertEquals(Optional.of("You are Rocket, a concise assistant."), mf.system());
        assertEquals(List.of(new Message("user", "Is Toronto in Canada?"), new Message("assistant", "yes")),
                mf.messages());
        assertEquals(List.of("Apache-2.0 ..."), mf.licenses());
        assertEquals(List.of(), mf.adapters());
    }

    @Test
    void keywordsAreCaseInsensitiveAndCommentsOnlyWhereAnInstructionStarts() throws Exception {
        Modelfile mf = ModelfileParser.parse("  \t# lead comment\n\nfrom base\nSyStEm  keep # this\n"
                + "pArAmEtEr num_ctx 4096\n");
        assertEquals(List.of("base"), mf.from());
        assertEquals(Optional.of("keep # this"), mf.system());
        assertEquals(new ParamValue.IntValue(4096), mf.parameters().get("num_ctx").orElseThrow());
    }

    @Test
    void quotingRules() throws Exception {
        Modelfile mf = ModelfileParser.parse("FROM \"a b\"\nSYSTEM \"line1\nline2\"\n"
                + "TEMPLATE \"\"\"say \"hi\"\\n\"\"\"\nLICENSE 'single'\nMESSAGE user   inner  \t spaces\t \n");
        assertEquals(List.of("a b"), mf.from());
        assertEquals(Optional.of("line1\nline2"), mf.system());
        assertEquals(Optional.of("say \"hi\"\\n"), mf.template(), "no escape sequences");
        assertEquals(List.of("'single'"), mf.licenses(), "single quotes have no meaning");
        assertEquals("inner  \t spaces", mf.messages().getFirst().content());
    }

    @Test
    void crlfFilesKeepCrlfInsideQuotesAndCountLinesOnce() throws Exception {
        Modelfile mf = ModelfileParser.parse("FROM x\r\nSYSTEM \"\"\"a\r\nb\"\"\"\r\nTEMPLATE t\r\n");
        assertEquals(Optional.of("a\r\nb"), mf.system());
        assertEquals(Optional.of("t"), mf.template());
        assertEquals("(line 3): " + CMD_ERR, err("FROM x\r\n\r\nBAD x\r\n"));
        assertEquals("(line 3): " + CMD_ERR, err("FROM x\r\rBAD x\r"));
    }

    @Test
    void repeatRules() throws Exception {
        Modelfile mf = ModelfileParser.parse("""
                FROM a.gguf
                FROM mmproj.gguf
                TEMPLATE t1
                TEMPLATE t2
                SYSTEM s1
                SYSTEM s2
                ADAPTER one
                ADAPTER two
                LICENSE l1
                LICENSE l2
                PARAMETER num_ctx 1
                PARAMETER num_ctx 2
                PARAMETER stop x
                PARAMETER stop y
                MESSAGE system m1
                MESSAGE user m2
                REQUIRES 0.1.0
                REQUIRES v0.14.0
                """);
        assertEquals(List.of("a.gguf", "mmproj.gguf"), mf.from());
        assertEquals(Optional.of("t2"), mf.template());
        assertEquals(Optional.of("s2"), mf.system());
        assertEquals(List.of("one", "two"), mf.adapters(), "ADAPTER accumulates (mbllm: several adapters)");
        assertEquals(List.of("l1", "l2"), mf.licenses());
        assertEquals(new ParamValue.IntValue(2), mf.parameters().get("num_ctx").orElseThrow());
        assertEquals(new ParamValue.StringList(List.of("x", "y")), mf.parameters().get("stop").orElseThrow());
        assertEquals(List.of(new Message("system", "m1"), new Message("user", "m2")), mf.messages());
        assertEquals(Optional.of("v0.14.0"), mf.requires());
    }

    @Test
    void parameterTyping() throws Exception {
        Modelfile mf = ModelfileParser.parse("FROM x\nPARAMETER temperature 1\nPARAMETER top_p .5\n"
                + "PARAMETER seed -1\nPARAMETER use_mmap f\nPARAMETER min_p 1e-3\nPARAMETER num_predict +7\n");
        Parameters p = mf.parameters();
        assertEquals(new ParamValue.FloatValue(1f), p.get("temperature").orElseThrow());
        assertEquals(new ParamValue.FloatValue(0.5f), p.get("top_p").orElseThrow());
        assertEquals(new ParamValue.IntValue(-1), p.get("seed").orElseThrow());
        assertEquals(new ParamValue.BoolValue(false), p.get("use_mmap").orElseThrow());
        assertEquals(new ParamValue.FloatValue(1e-3f), p.get("min_p").orElseThrow());
        assertEquals(new ParamValue.IntValue(7), p.get("num_predict").orElseThrow());
        for (String t : List.of("1", "t", "T", "TRUE", "true", "True")) {
            assertEquals(new ParamValue.BoolValue(true),
                    ModelfileParser.parse("FROM x\nPARAMETER use_mmap " + t).parameters().get("use_mmap").orElseThrow());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "FROM x\\nBADCOMMAND param1 value1|(line 2): " + CMD_ERR,
            "\\nFROM foo\\nBADCOMMAND param1 value1\\n|(line 3): " + CMD_ERR,
            "FROM\\n|(line 1): " + CMD_ERR,
            "FROM|(line 1): " + CMD_ERR,
            "FR0M x|(line 1): " + CMD_ERR,
            "1FROM x|(line 1): " + CMD_ERR,
            "FROM x\\n\"quoted\" y|(line 2): " + CMD_ERR,
            "FROM x\\nMESSAGE tool hi|(line 2): " + ROLE_ERR,
            "FROM x\\nMESSAGE User hi|(line 2): " + ROLE_ERR,
            "FROM x\\nMESSAGE us3r hi|(line 2): " + ROLE_ERR,
            "FROM x\\nMESSAGE user\\n|(line 2): missing text for MESSAGE",
            "FROM x\\nPARAMETER foo 1|(line 2): unknown parameter 'foo'",
            "FROM x\\nPARAMETER Temperature 1|(line 2): unknown parameter 'Temperature'",
            "FROM x\\nPARAMETER temperature hot|(line 2): invalid float value [hot]",
            "FROM x\\nPARAMETER temperature 1e39|(line 2): invalid float value [1e39]",
            "FROM x\\nPARAMETER temperature 0x1p3|(line 2): invalid float value [0x1p3]",
            "FROM x\\nPARAMETER temperature 1f|(line 2): invalid float value [1f]",
            "FROM x\\nPARAMETER num_ctx 1.5|(line 2): invalid int value [1.5]",
            "FROM x\\nPARAMETER num_ctx 99999999999999999999|(line 2): invalid int value [99999999999999999999]",
            "FROM x\\nPARAMETER use_mmap yes|(line 2): invalid bool value [yes]",
            "FROM x\\nPARAMETER num_ctx\\n|(line 2): missing value for PARAMETER num_ctx",
            "FROM x\\nPARAMETER temp-erature 1|(line 2): invalid character '-' in parameter name",
            "FROM x\\nREQUIRES latest|(line 2): requires must be a valid semver (e.g. 0.14.0)",
            "FROM x\\nREQUIRES 0.14.0-|(line 2): requires must be a valid semver (e.g. 0.14.0)",
            "FROM x\\nREQUIRES 01.2.3|(line 2): requires must be a valid semver (e.g. 0.14.0)",
            "FROM  \\n|(line 1): FROM needs a model name or a path",
            "FROM x\\nADAPTER \"\"|(line 2): ADAPTER needs a path",
            "SYSTEM hello|no FROM line",
            "# only a comment|no FROM line",
            "FROM x\\nSYSTEM \"unterminated\\nstill|unexpected EOF: \"unterminated\\nstill",
            "FROM x\\nTEMPLATE \"\"\"abc\"|unexpected EOF: \"\"\"abc\"",
    })
    void everyErrorMessage(String input, String expected) {
        String text = input.replace("\\n", "\n");
        assertEquals(expected.replace("\\n", "\n"), err(text));
    }

    @Test
    void errorCarriesLineAndReason() {
        ModelfileException e = assertThrows(ModelfileException.class,
                () -> ModelfileParser.parse("FROM x\n\nPARAMETER foo 1\n"));
        assertEquals(3, e.line());
        assertEquals("unknown parameter 'foo'", e.reason());
        ModelfileException noFrom = assertThrows(ModelfileException.class, () -> ModelfileParser.parse(""));
        assertEquals(0, noFrom.line());
        assertEquals("no FROM line", noFrom.getMessage());
    }

    @Test
    void validSemverForms() throws Exception {
        for (String v : List.of("0.14.0", "v0.14.0", "v1", "1.2", "1.2.3-rc.1", "1.2.3+build.5", "1.2.3-alpha-1+x")) {
            assertEquals(Optional.of(v), ModelfileParser.parse("FROM x\nREQUIRES " + v).requires(), v);
        }
    }

    @Test
    void deprecatedParametersAndOllamaOnlyInstructionsWarn() throws Exception {
        List<String> warnings = new ArrayList<>();
        Modelfile mf = ModelfileParser.parse("FROM x\nPARAMETER mirostat 2\nPARAMETER use_mlock true\n"
                + "DRAFT d\nRENDERER r\nPARSER p\n", warnings::add);
        assertTrue(mf.parameters().isEmpty());
        assertEquals(List.of("warning: parameter mirostat is deprecated", "warning: parameter use_mlock is deprecated",
                "warning: DRAFT is not supported by mbllm and is ignored",
                "warning: RENDERER is not supported by mbllm and is ignored",
                "warning: PARSER is not supported by mbllm and is ignored"), warnings);
    }

    @Test
    void byteOrderMarks() throws Exception {
        String text = "FROM é.gguf\nSYSTEM ünï\n";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[utf8.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(utf8, 0, withBom, 3, utf8.length);
        Modelfile expected = ModelfileParser.parse(text);
        assertEquals(expected, ModelfileParser.parse(withBom, w -> { }));
        byte[] le = text.getBytes(StandardCharsets.UTF_16LE);
        byte[] leBom = new byte[le.length + 2];
        leBom[0] = (byte) 0xFF;
        leBom[1] = (byte) 0xFE;
        System.arraycopy(le, 0, leBom, 2, le.length);
        assertEquals(expected, ModelfileParser.parse(leBom, w -> { }));
        byte[] be = text.getBytes(StandardCharsets.UTF_16BE);
        byte[] beBom = new byte[be.length + 2];
        beBom[0] = (byte) 0xFE;
        beBom[1] = (byte) 0xFF;
        System.arraycopy(be, 0, beBom, 2, be.length);
        assertEquals(expected, ModelfileParser.parse(beBom, w -> { }));
    }

    @Test
    void jsonParametersAreTypedAndMerged() throws Exception {
        List<String> warnings = new ArrayList<>();
        Parameters p = Parameters.fromJson(java.util.Map.of("temperature", 0.5, "num_ctx", 2048.9,
                "stop", List.of("a"), "tfs_z", 1, "mirostat", 0), warnings::add);
        assertEquals(new ParamValue.FloatValue(0.5f), p.get("temperature").orElseThrow());
        assertEquals(new ParamValue.IntValue(2048), p.get("num_ctx").orElseThrow(), "ints truncate floats");
        assertEquals(2, warnings.size());
        ParameterException e = assertThrows(ParameterException.class,
                () -> Parameters.fromJson(java.util.Map.of("temperature", "hot"), w -> { }));
        assertEquals("option \"temperature\" must be of type float32", e.getMessage());

        Parameters base = Parameters.EMPTY.plus("temperature", new ParamValue.FloatValue(0.1f))
                .plus("top_k", new ParamValue.IntValue(5));
        Parameters merged = Parameters.EMPTY.plus("temperature", new ParamValue.FloatValue(0.9f)).over(base);
        assertEquals(new ParamValue.FloatValue(0.9f), merged.get("temperature").orElseThrow());
        assertEquals(new ParamValue.IntValue(5), merged.get("top_k").orElseThrow());
        assertEquals("{\"stop\":[\"\\u003c|im_end|\\u003e\"],\"temperature\":0.7}\n",
                new String(Parameters.EMPTY.plus("temperature", new ParamValue.FloatValue(0.7f))
                        .plus("stop", new ParamValue.StringList(List.of("<|im_end|>"))).toLayerBytes(),
                        StandardCharsets.UTF_8));
        assertEquals("stop                           \"<|eot_id|>\"\ntemperature                    0.7",
                Parameters.EMPTY.plus("temperature", new ParamValue.FloatValue(0.7f))
                        .plus("stop", new ParamValue.StringList(List.of("<|eot_id|>"))).showText());
    }
}
