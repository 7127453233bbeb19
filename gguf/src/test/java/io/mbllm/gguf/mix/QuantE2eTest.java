package io.mbllm.gguf.mix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.TensorInfo;
import io.mbllm.testkit.SharedData;

/**
 * The acceptance test: regenerate {@code tiny-f32}, quantize it to the 23 llama-quantize runs of
 * {@code testdata/quant-e2e} and compare metadata bytes, every tensor's SHA-256 and the whole-file SHA-256.
 */
class QuantE2eTest {
    static final List<String> PLAIN = List.of("Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q4_K_M", "Q4_K_S", "Q3_K_L",
            "Q3_K_M", "Q3_K_S", "Q2_K", "Q4_0", "Q4_1", "Q5_0", "Q5_1");
    static final List<String> IMAT = List.of("Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "Q4_K_S", "Q3_K_M", "Q2_K", "Q2_K_S", "Q4_0");

    @TempDir
    static Path tmp;
    static Path dir;
    static Path input;

    @BeforeAll
    static void writeInput() throws IOException {
        dir = SharedData.require("testdata/quant-e2e");
        input = tmp.resolve("tiny-f32.gguf");
        TinyModel.write(input);
    }

    static Stream<String> runs() {
        return Stream.concat(PLAIN.stream(), IMAT.stream().map(s -> s + "-imat"));
    }

    @Test
    void regeneratedInputMatchesGolden() throws Exception {
        checkAgainstGolden("tiny-f32", input);
    }

    @ParameterizedTest
    @MethodSource("runs")
    void quantizedFileIsByteIdentical(String run) throws Exception {
        boolean imat = run.endsWith("-imat");
        FileType ft = FileType.parse(imat ? run.substring(0, run.length() - 5) : run);
        QuantizeOptions opts = QuantizeOptions.of(ft).withThreads(2);
        if (imat) opts = opts.withImatrix(Imatrix.load(dir.resolve("tiny-imatrix.gguf")), "tiny-imatrix.gguf");
        Path out = tmp.resolve("tiny-" + run + ".gguf");
        ModelQuantizer.Result r = ModelQuantizer.quantize(input, out, opts, ModelQuantizer.ProgressListener.none());
        checkAgainstGolden("tiny-" + run, out);
        assertEquals(Files.size(out), r.outputFileBytes());
        assertEquals(75, r.tensorCounts().values().stream().mapToInt(Integer::intValue).sum());
        Files.delete(out);
    }

    static void checkAgainstGolden(String name, Path file) throws Exception {
        Map<String, Long> meta = outputs(name);
        byte[] wantMeta = Files.readAllBytes(dir.resolve(name + ".meta.bin"));
        assertEquals(meta.get("data_start"), wantMeta.length);
        byte[] got = Files.readAllBytes(file);
        assertEquals(meta.get("file_bytes"), got.length, name + " file size");
        for (int i = 0; i < wantMeta.length; i++) {
            if (got[i] != wantMeta[i]) fail(name + ": metadata differs at byte " + i);
        }
        List<String> lines = Files.readAllLines(dir.resolve(name + ".tensors.tsv"));
        try (GgufFile f = GgufFile.open(file)) {
            List<TensorInfo> ts = f.tensors();
            assertEquals(lines.size() - 1, ts.size());
            assertEquals(meta.get("n_tensors"), ts.size());
            assertEquals(meta.get("n_kv"), f.metadata().size());
            List<String> want = new ArrayList<>(), have = new ArrayList<>();
            for (int i = 0; i < ts.size(); i++) {
                TensorInfo t = ts.get(i);
                String[] c = lines.get(i + 1).split("\t");
                want.add(String.join(" ", c[0], c[2], c[3], c[4], c[5], c[6]));
                StringBuilder ne = new StringBuilder();
                for (int d = 0; d < t.nDims(); d++) ne.append(d == 0 ? "" : "x").append(t.ne(d));
                MemorySegment data = f.tensorData(t);
                have.add(String.join(" ", t.name(), String.valueOf(t.type().id()), ne, String.valueOf(t.offset()),
                        String.valueOf(t.byteSize()), sha256(data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))));
            }
            assertEquals(want, have, name + " tensors");
        }
        assertEquals(outputsSha(name), sha256(got), name + " file SHA-256");
    }

    private static final Pattern ENTRY = Pattern.compile("\"([^\"]+)\": \\{([^}]*)\\}");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\": (\"[0-9a-f]+\"|\\d+)");

    static Map<String, Long> outputs(String name) throws IOException {
        Map<String, Long> m = new java.util.HashMap<>();
        for (var e : fields(name).entrySet()) {
            if (!e.getValue().startsWith("\"")) m.put(e.getKey(), Long.parseLong(e.getValue()));
        }
        return m;
    }

    static String outputsSha(String name) throws IOException {
        return fields(name).get("file_sha256").replace("\"", "");
    }

    private static Map<String, String> fields(String name) throws IOException {
        String json = Files.readString(dir.resolve("outputs.json"));
        Matcher m = ENTRY.matcher(json);
        while (m.find()) {
            if (!m.group(1).equals(name)) continue;
            Map<String, String> f = new java.util.HashMap<>();
            Matcher fm = FIELD.matcher(m.group(2));
            while (fm.find()) f.put(fm.group(1), fm.group(2));
            return f;
        }
        throw new AssertionError("no entry " + name + " in outputs.json");
    }

    static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
