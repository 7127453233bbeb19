package io.mbllm.gguf.mix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.gguf.GgmlType;
import io.mbllm.testkit.SharedData;

/**
 * llama.cpp's own mix snapshots ({@code testdata/quant-mix/*.schema}): every non-IQ ftype section of the four
 * models must come out exactly from the tensor lists.
 */
class MixSchemaTest {
    static final List<String> MODELS = List.of("qwen3-0.6b", "qwen3-14b", "gemma-3-4b-it", "meta-llama-3.1-70b-instruct");

    /** One {@code [FTYPE] default} section: the default type and the listed exceptions. */
    record Section(String ftype, String defaultType, Map<String, String> exceptions) {}

    record Model(ModelFacts facts, List<TensorShape> tensors) {}

    static Stream<Arguments> models() {
        return MODELS.stream().map(Arguments::of);
    }

    @ParameterizedTest
    @MethodSource("models")
    void everyNonIqSectionReproduces(String model) throws IOException {
        Path dir = SharedData.require("testdata/quant-mix");
        Model m = readTensors(dir.resolve(model + ".tensors.tsv"));
        Map<String, Section> sections = readSchema(dir.resolve(model + ".schema"));
        int checked = 0;
        for (Section s : sections.values()) {
            FileType ft = FileType.parse(s.ftype());
            // every section's default type matches our ftype table (IQ ones included)
            assertEquals(s.defaultType(), ft.defaultType().ggmlName(), model + " [" + s.ftype() + "] default type");
            if (!ft.hasMixRules()) continue;
            Map<String, String> expected = new TreeMap<>();
            for (TensorShape t : m.tensors()) expected.put(t.name(), s.exceptions().getOrDefault(t.name(), s.defaultType()));
            for (String listed : s.exceptions().keySet()) assertTrue(expected.containsKey(listed), listed + " not in tensor list");
            Map<String, String> actual = new TreeMap<>();
            for (TensorTypeChooser.Choice c : TensorTypeChooser.plan(m.facts(), MixOptions.of(ft), m.tensors())) {
                actual.put(c.tensor().name(), c.type().ggmlName());
            }
            assertEquals(expected, actual, model + " [" + s.ftype() + "]");
            checked++;
        }
        assertEquals(18, checked, model + ": the 18 non-IQ ftype sections");
    }

    static Model readTensors(Path tsv) throws IOException {
        List<String> lines = Files.readAllLines(tsv);
        Map<String, String> kv = new HashMap<>();
        for (String w : lines.get(1).substring(1).trim().split("\\s+")) {
            String[] p = w.split("=", 2);
            kv.put(p[0], p[1]);
        }
        List<TensorShape> tensors = new ArrayList<>();
        for (String line : lines.subList(3, lines.size())) {
            if (line.isBlank()) continue;
            String[] c = line.split("\t");
            tensors.add(TensorShape.of(c[0], Long.parseLong(c[1]), Long.parseLong(c[2])));
        }
        ModelFacts facts = new ModelFacts(kv.get("arch"), Integer.parseInt(kv.get("n_layer")),
                Integer.parseInt(kv.get("n_head")), Integer.parseInt(kv.get("n_head_kv")),
                Integer.parseInt(kv.get("n_expert")), !Boolean.parseBoolean(kv.get("tied_embeddings").toLowerCase()));
        // the list is already in processing order; our comparator must agree
        List<String> names = tensors.stream().map(TensorShape::name).toList();
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(MixRules.PROCESSING_ORDER);
        assertEquals(names, sorted, tsv + " processing order");
        return new Model(facts, tensors);
    }

    static Map<String, Section> readSchema(Path schema) throws IOException {
        Map<String, Section> out = new LinkedHashMap<>();
        Section cur = null;
        for (String raw : Files.readAllLines(schema)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            if (line.startsWith("[")) {
                int close = line.indexOf(']');
                String ft = line.substring(1, close);
                String def = line.substring(close + 1).strip();
                assertNotNull(GgmlType.byName(def), "known type " + def);
                cur = new Section(ft, def, new LinkedHashMap<>());
                out.put(ft, cur);
            } else {
                String[] p = line.split("\\s+");
                assertEquals(2, p.length, "schema line: " + line);
                assertNotNull(cur, "entry before any section");
                cur.exceptions().put(p[0], p[1]);
            }
        }
        return out;
    }
}
