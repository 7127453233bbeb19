package io.mbllm.server.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mbllm.server.api.Json;

class JsonMatcherTest {
    /** Feeds text byte by byte; returns how many bytes were accepted (text length when all). */
    static int accepted(JsonGrammar g, String text) {
        JsonMatcher m = new JsonMatcher(g);
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i++) if (!m.feed(b[i] & 0xFF)) return i;
        return b.length;
    }

    static boolean complete(JsonGrammar g, String text) {
        JsonMatcher m = new JsonMatcher(g);
        return m.feed(text.getBytes(StandardCharsets.UTF_8)) && m.canEnd();
    }

    @SuppressWarnings("unchecked")
    static JsonGrammar schema(String json) throws Exception {
        return JsonGrammar.fromSchema(Json.MAPPER.readValue(json, Map.class));
    }

    @Test
    void anyObjectAcceptsValidJsonObjects() {
        JsonGrammar g = JsonGrammar.anyObject();
        for (String ok : List.of("{}", " {\"a\": 1}", "{\"a\":[1,2.5e-3,-0,true,false,null,\"x\\n\\u00e9\"],\"b\":{\"c\":{}}}",
                "{\"é\": \"ünïcödé ✓\"}", "{\n  \"k\": [ ]\n}")) {
            assertTrue(complete(g, ok), ok);
        }
    }

    @Test
    void anyObjectRejectsAtTheFirstBadByte() {
        JsonGrammar g = JsonGrammar.anyObject();
        assertEquals(0, accepted(g, "[1]"), "top level must be an object");
        assertEquals(0, accepted(g, "hello"));
        assertEquals(5, accepted(g, "{\"a\" 1}"));
        assertEquals(6, accepted(g, "{\"a\":01}"));
        assertEquals(7, accepted(g, "{\"a\":1,}"));
        assertEquals(2, accepted(g, "{}x"), "nothing after the value");
        assertEquals(2, accepted(g, "{\"\u0001\"}"), "control characters inside strings");
        assertEquals(4, accepted(g, "{\"a\\q\":1}"), "bad escape");
        assertEquals(8, accepted(g, "{\"a\":tru}"));
        assertFalse(complete(g, "{\"a\":1"), "unfinished");
        assertFalse(complete(g, "{\"a\":-"));
    }

    @Test
    void whitespaceRunsAreBounded() {
        JsonGrammar g = JsonGrammar.anyObject();
        String ws = " ".repeat(JsonMatcher.MAX_WS);
        assertTrue(complete(g, ws + "{" + ws + "}"));
        assertEquals(JsonMatcher.MAX_WS, accepted(g, ws + " {}"));
    }

    @Test
    void numbersAreBounded() {
        JsonGrammar g = JsonGrammar.anyObject();
        String digits = "1".repeat(JsonMatcher.MAX_NUMBER);
        assertTrue(complete(g, "{\"n\":" + digits + "}"));
        assertEquals(5 + JsonMatcher.MAX_NUMBER, accepted(g, "{\"n\":" + digits + "1}"));
    }

    @Test
    void schemaFixesKeysOrderAndTypes() throws Exception {
        JsonGrammar g = schema("""
                {"type":"object","properties":{
                  "name":{"type":"string"},"age":{"type":"integer"},"ok":{"type":"boolean"},
                  "tags":{"type":"array","items":{"type":"string"}},"color":{"enum":["red","green",3]},
                  "nested":{"type":"object","properties":{"x":{"type":"null"}}}},
                 "required":["name"]}""");
        assertTrue(complete(g, "{\"name\":\"Al\",\"age\":-12,\"ok\":true,\"tags\":[\"a\",\"b\"],\"color\":3,\"nested\":{\"x\":null}}"));
        assertTrue(complete(g, "{ \"name\" : \"\", \"age\" : 0 , \"ok\":false,\"tags\":[],\"color\":\"green\",\"nested\":{ \"x\":null } }"));
        assertEquals(2, accepted(g, "{\"age\":1}"), "properties come in schema order");
        assertEquals(19, accepted(g, "{\"name\":\"A\",\"age\":1.5}"), "integer has no fraction");
        assertEquals(18, accepted(g, "{\"name\":\"A\",\"age\":\"1\"}"), "integer is not a string");
        assertEquals(28, accepted(g, "{\"name\":\"A\",\"age\":1,\"ok\":tru3}"));
        assertEquals(49, accepted(g, "{\"name\":\"A\",\"age\":1,\"ok\":true,\"tags\":[],\"color\":\"blue\"}"), "enum");
        assertFalse(complete(g, "{\"name\":\"A\"}"), "every property is written");
    }

    @Test
    void enumPrefixesAndNumbers() throws Exception {
        JsonGrammar g = schema("{\"enum\":[1,12,\"a\",\"ab\"]}");
        assertTrue(complete(g, "1"));
        assertTrue(complete(g, "12"));
        assertTrue(complete(g, "\"ab\""));
        assertFalse(complete(g, "\"a"));
        assertEquals(1, accepted(g, "13"));
    }

    @Test
    void maxLengthAndRefs() throws Exception {
        JsonGrammar g = schema("""
                {"type":"object","properties":{"p":{"$ref":"#/$defs/P"}},
                 "$defs":{"P":{"type":"string","maxLength":3}}}""");
        assertTrue(complete(g, "{\"p\":\"abc\"}"));
        assertTrue(complete(g, "{\"p\":\"é\\u00e9x\"}"), "characters, not bytes, count");
        assertEquals(9, accepted(g, "{\"p\":\"abcd\"}"));
    }

    @Test
    void unsupportedKeywordsAcceptAnyValue() throws Exception {
        JsonGrammar g = schema("{\"type\":\"object\",\"properties\":{\"v\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}}}");
        assertTrue(complete(g, "{\"v\":\"x\"}"));
        assertTrue(complete(g, "{\"v\":[1,{\"a\":2}]}"));
    }

    @Test
    void topLevelNumberEndsAtEndOfOutput() throws Exception {
        JsonGrammar g = schema("{\"type\":\"number\"}");
        assertTrue(complete(g, "-1.5e+3"));
        assertFalse(complete(g, "-1.5e"));
    }

    @Test
    void copyFromRestoresState() {
        JsonGrammar g = JsonGrammar.anyObject();
        JsonMatcher a = new JsonMatcher(g), b = new JsonMatcher(g);
        assertTrue(a.feed("{\"k\":[1,".getBytes(StandardCharsets.UTF_8)));
        b.copyFrom(a);
        assertTrue(b.feed("2]}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(b.canEnd());
        assertFalse(a.canEnd());
        assertTrue(a.feed("3]}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(a.canEnd());
    }
}
