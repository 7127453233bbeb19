package io.mbllm.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mbllm.engine.generate.Greedy;
import io.mbllm.gguf.GgufMetadata;
import io.mbllm.gguf.GgufValue;
import io.mbllm.gguf.GgufWriter;
import io.mbllm.kernels.Parallel;

/**
 * The synthetic model of every family written as a real GGUF file with {@link GgufWriter}, opened with
 * {@link Model#open(Path)} (memory-mapped), gives the same logits as the in-memory original, and generates.
 */
class GgufRoundTripTest {
    static final Parallel POOL = new Parallel(2);

    @TempDir
    Path dir;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static java.util.stream.Stream<Arguments> models() {
        return ArchitecturesTest.models();
    }

    /** Writes {@code src} as a GGUF file. */
    static Path write(InMemorySource src, Path file) throws Exception {
        GgufMetadata.Builder meta = GgufMetadata.builder();
        for (var e : src.meta.entrySet()) {
            meta.put(e.getKey(), switch (e.getValue()) {
                case MetaValue.Text t -> GgufValue.of(t.value());
                case MetaValue.Num n when n.kind() == MetaValue.Kind.UINT32 -> GgufValue.u32(n.value().longValue());
                case MetaValue.Num n when n.kind() == MetaValue.Kind.FLOAT32 -> GgufValue.f32(n.value().floatValue());
                default -> throw new IllegalArgumentException("test writer: " + e);
            });
        }
        GgufWriter.Builder b = GgufWriter.builder().metadata(meta.build());
        for (ModelSource.Tensor t : src.tensors.values()) b.addTensor(t.name(), t.type(), t.shape());
        try (GgufWriter w = b.open(file)) {
            for (ModelSource.Tensor t : src.tensors.values()) w.write(t.data());
            w.finish();
        }
        return file;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void fileModelEqualsInMemoryModel(String name, Supplier<InMemorySource> source, Architecture arch) throws Exception {
        InMemorySource src = source.get();
        Path file = write(src, dir.resolve(arch.ggufName() + ".gguf"));
        int[] prompt = ArchitecturesTest.PROMPT;
        float[] want = ArchitecturesTest.allLogits(Model.load(src), 4, prompt);
        try (Model m = Model.open(file)) {
            assertEquals(arch, m.config().architecture());
            assertArrayEquals(want, ArchitecturesTest.allLogits(m, 4, prompt), name);
            try (InferenceContext ctx = m.newContext(ContextOptions.of(Synthetic.CTX).withMaxBatch(8).withParallel(POOL))) {
                int[] out = Greedy.generate(ctx, prompt, 16);
                for (int id : out) assertTrue(id >= 0 && id < Synthetic.VOCAB);
            }
        }
    }

    @Test
    void notAGgufFileIsATypedError() throws Exception {
        Path junk = Files.write(dir.resolve("junk.gguf"), new byte[] {'G', 'G', 'U', 'X', 3, 0, 0, 0});
        assertThrows(io.mbllm.gguf.GgufFormatException.class, () -> Model.open(junk));
    }

    @Test
    void unknownArchitectureInAFileIsAModelLoadException() throws Exception {
        InMemorySource src = Synthetic.llama(true).str("general.architecture", "rwkv7");
        Path file = write(src, dir.resolve("rwkv.gguf"));
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> Model.open(file));
        assertTrue(e.getMessage().contains("'rwkv7'") && e.getMessage().contains("qwen3"), e.getMessage());
    }

}
