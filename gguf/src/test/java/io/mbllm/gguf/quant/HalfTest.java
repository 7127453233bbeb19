package io.mbllm.gguf.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.mbllm.testkit.SharedData;

/** fp16 round trips against ggml's {@code GGML_FP32_TO_FP16} / {@code GGML_FP16_TO_FP32} (testdata/quant/fp16.tsv). */
class HalfTest {
    @Test
    void matchesGgmlOnEdgeCases() throws Exception {
        Path tsv = SharedData.require("testdata/quant/fp16.tsv");
        List<String> lines = Files.readAllLines(tsv);
        int checked = 0;
        for (String line : lines) {
            if (!line.startsWith("0x")) continue; // header
            String[] f = line.split("\t");
            int in = Integer.parseUnsignedInt(f[0].substring(2), 16);
            int half = Integer.parseUnsignedInt(f[1].substring(2), 16);
            int back = Integer.parseUnsignedInt(f[2].substring(2), 16);
            short h = Half.fromFloat(Float.intBitsToFloat(in));
            assertEquals(half, h & 0xFFFF, () -> "fp32 " + f[0] + " -> fp16");
            assertEquals(back, Float.floatToRawIntBits(Half.toFloat((short) half)), () -> "fp16 " + f[1] + " -> fp32");
            checked++;
        }
        assertEquals(33, checked, "fp16.tsv has 33 edge cases");
    }
}
