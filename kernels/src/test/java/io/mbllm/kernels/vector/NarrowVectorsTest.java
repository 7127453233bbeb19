package io.mbllm.kernels.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The kernels pick their vector width once per JVM, so the 256-bit (AVX2) shapes are checked in a child JVM
 * started with {@code -Dmbllm.vector.maxBits=256}: every type against the reference ({@link KernelCases#main}).
 */
class NarrowVectorsTest {
    @Test
    void kernelsMatchTheReferenceWith256BitVectors() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "--add-modules", "jdk.incubator.vector",
                "-Xmx512m", "-Dmbllm.vector.maxBits=256", "-cp", System.getProperty("java.class.path"),
                KernelCases.class.getName()));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out;
        try (var in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "child JVM did not finish");
        assertTrue(out.contains("wide short lanes 16, float lanes 8"), out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("56 cases, 0 mismatches"), out);
    }
}
