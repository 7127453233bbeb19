package io.mbllm.kernels.nativ;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mbllm.gguf.GgmlType;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.WeightMatrix;

/** Degradation paths: missing or broken library, missing compiler at build time, bad arguments. */
class NativeLoadingTest {

    @Test
    void missingResourceIsUnavailableWithReason() {
        NativeKernels.Status s = NativeKernels.load("/native/linux-x86_64/no-such-library.so");
        assertFalse(s.available());
        assertNotNull(s.reason());
        assertTrue(s.reason().contains("not bundled"), s.reason());
    }

    @Test
    void unloadableFileIsUnavailableNotACrash(@TempDir Path dir) throws IOException {
        Path junk = Files.writeString(dir.resolve("libmbllm_kernels.so"), "not an ELF file");
        String old = System.getProperty("mbllm.native.lib");
        System.setProperty("mbllm.native.lib", junk.toString());
        try {
            NativeKernels.Status s = NativeKernels.load(NativeKernels.RESOURCE);
            assertFalse(s.available());
            assertNotNull(s.reason());
        } finally {
            if (old == null) System.clearProperty("mbllm.native.lib");
            else System.setProperty("mbllm.native.lib", old);
        }
    }

    @Test
    void disabledByProperty() {
        System.setProperty("mbllm.native.disable", "true");
        try {
            NativeKernels.Status s = NativeKernels.load(NativeKernels.RESOURCE);
            assertFalse(s.available());
            assertTrue(s.reason().contains("disabled"), s.reason());
        } finally {
            System.clearProperty("mbllm.native.disable");
        }
    }

    /** The build step without a compiler: exit 0, a message, and no library (so the Java path is taken). */
    @Test
    void buildScriptSkipsWithoutCompiler(@TempDir Path out) throws Exception {
        Path script = Path.of("src/main/c/build.sh").toAbsolutePath();
        assertTrue(Files.isRegularFile(script), script.toString());
        ProcessBuilder pb = new ProcessBuilder("sh", script.toString(), out.toString()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("CC", "/nonexistent/mbllm-test-cc");
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "build.sh hung");
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.contains("no C compiler"), log);
        assertFalse(Files.exists(out.resolve("libmbllm_kernels.so")));
    }

    @Test
    void badArgumentsAreTypedErrors() {
        NativeTestSupport.requireNative();
        try (Parallel p = new Parallel(1)) {
            NativeMatMul m = new NativeMatMul(p);
            WeightMatrix w = NativeTestSupport.quantized(GgmlType.Q8_0, 4, 64, 1);
            assertThrows(IllegalArgumentException.class, () -> m.matmul(w, new float[63], 1, new float[4]));
            assertThrows(IllegalArgumentException.class, () -> m.matmul(w, new float[64], 1, new float[3]));
            assertThrows(IllegalArgumentException.class, () -> m.matmul(w, new float[64], -1, new float[4]));
            WeightMatrix q8k = new WeightMatrix("act", GgmlType.Q8_K, java.lang.foreign.MemorySegment.ofArray(new byte[292]), 256, 1);
            assertThrows(UnsupportedOperationException.class, () -> m.matmul(q8k, new float[256], 1, new float[1]));
            assertFalse(NativeMatMul.supports(GgmlType.IQ2_XXS));
            assertTrue(NativeMatMul.supports(GgmlType.Q4_K));
            float[] out = {7f};
            m.matmul(w, new float[0], 0, out); // no tokens: nothing written
            assertEquals(7f, out[0]);
        }
    }

    @Test
    void variantsAndForcing() {
        NativeTestSupport.requireNative();
        assertTrue(NativeVariant.available().contains(NativeVariant.SCALAR));
        assertEquals(NativeVariant.AVX2, NativeVariant.parse("AVX2"));
        assertThrows(IllegalArgumentException.class, () -> NativeVariant.parse("neon"));
        try (Parallel p = new Parallel(1)) {
            assertEquals(NativeVariant.best(), new NativeMatMul(p).variant());
            assertEquals(NativeVariant.SCALAR, new NativeMatMul(p, NativeVariant.SCALAR).variant());
        }
    }
}
