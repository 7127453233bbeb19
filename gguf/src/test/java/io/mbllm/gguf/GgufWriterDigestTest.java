package io.mbllm.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link GgufWriter.Builder#digest}: the digest sees exactly the bytes of the finished file. */
class GgufWriterDigestTest {

    @Test
    void digestEqualsTheHashOfTheWrittenFile(@TempDir Path dir) throws Exception {
        GgufMetadata meta = GgufMetadata.builder().put("general.architecture", "llama")
                .put("x.n", GgufValue.u32(7)).build();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Path out = dir.resolve("m.gguf");
        byte[] big = new byte[3 << 20]; // larger than the writer's buffer: goes through the direct-write path
        for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31 + 7);
        try (GgufWriter w = GgufWriter.builder().metadata(meta)
                .addTensor("a", GgmlType.F32, 3)
                .addTensor("b", GgmlType.I8, big.length)
                .digest(md).open(out)) {
            w.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
            w.write(big, 0, 1000);
            w.write(big, 1000, big.length - 1000);
            w.finish();
        }
        byte[] file = Files.readAllBytes(out);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(file), md.digest());
        assertFalse(file.length < big.length);
    }
}
