package io.mbllm.engine.oracle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.mbllm.testkit.SharedData;

/** The llama.cpp oracle folder in the shared data ({@code testdata/llamacpp-oracle}) and its hash lists. */
final class OracleData {
    static final String DIR = "testdata/llamacpp-oracle";

    private OracleData() {}

    /** A file of the oracle folder (fails under CI, skips elsewhere, when missing). */
    static Path file(String name) {
        return SharedData.require(DIR + "/" + name);
    }

    /** {@code models.sha256}: file name to lower-case hex SHA-256, in file order. */
    static Map<String, String> modelHashes() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file("models.sha256"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            String[] f = line.trim().split("\\s+");
            if (f.length != 2 || f[0].length() != 64) throw new IOException("bad models.sha256 line: " + line);
            m.put(f[1], f[0].toLowerCase());
        }
        return m;
    }

    /** The expected SHA-256 of a model file, or an error naming the file. */
    static String modelHash(String fileName) throws IOException {
        String h = modelHashes().get(fileName);
        if (h == null) throw new IOException(fileName + " is not listed in models.sha256");
        return h;
    }
}
