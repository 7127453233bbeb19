package io.mbllm.engine.tokenizer;

import io.mbllm.gguf.GgufFile;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.testkit.SharedData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loads shared vocab files (once per JVM) and llama.cpp's {@code .inp/.out} tokenizer test vectors. */
final class VocabTestData {
    private VocabTestData() {}

    /** One test string with its expected ids. */
    record Case(String text, int[] expected) {}

    private static final Map<Path, Tokenizer> CACHE = new ConcurrentHashMap<>();

    static Tokenizer tokenizer(String sharedPath) {
        Path p = SharedData.require(sharedPath);
        return CACHE.computeIfAbsent(p, f -> {
            try (GgufFile file = GgufFile.open(f)) {
                return Tokenizers.fromGguf(file.metadata());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The metadata of a shared GGUF file (for tests that alter keys). */
    static GgufMetadata metadata(String sharedPath) throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.require(sharedPath))) {
            return file.metadata();
        }
    }

    /** Parses {@code <base>.inp} / {@code <base>.out} exactly as llama.cpp's test-tokenizer-0 does. */
    static List<Case> cases(String sharedBase) throws IOException {
        Path inp = SharedData.require(sharedBase + ".inp");
        Path out = SharedData.require(sharedBase + ".out");
        String all = strictUtf8(Files.readAllBytes(inp));
        String sep = "\n__ggml_vocab_test__\n";
        List<String> texts = new ArrayList<>();
        int pos = 0;
        while (true) {
            int at = all.indexOf(sep, pos);
            if (at < 0) {
                if (pos < all.length()) texts.add(all.substring(pos));
                break;
            }
            texts.add(all.substring(pos, at));
            pos = at + sep.length();
        }
        List<String> lines = Arrays.asList(new String(Files.readAllBytes(out), StandardCharsets.UTF_8).split("\n", -1));
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String line = lines.get(i).strip();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(texts.get(i), ids));
        }
        return cases;
    }

    private static String strictUtf8(byte[] b) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    }
}
