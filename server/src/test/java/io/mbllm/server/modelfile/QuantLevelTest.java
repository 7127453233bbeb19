package io.mbllm.server.modelfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class QuantLevelTest {

    @ParameterizedTest
    @CsvSource({
            "q8, Q8_0", "Q8, Q8_0", "q6, Q6_K", "q5, Q5_K_M", "q4, Q4_K_M", "q3, Q3_K_M", "q2, Q2_K",
            "q4_K_S, Q4_K_S", "q4_k_s, Q4_K_S", "Q4_K_M, Q4_K_M", "q4_K, Q4_K_M", "q8_0, Q8_0", "q5_1, Q5_1",
            "iq4_xs, IQ4_XS", "fp16, F16", "f16, F16", "bf16, BF16", "f32, F32",
            "3b-instruct-q4_K_M, Q4_K_M", "8b-instruct-q8_0, Q8_0", "8b-instruct-fp16, F16", "3b-q4, Q4_K_M"})
    void tagShorthand(String tag, QuantLevel expected) {
        assertEquals(Optional.of(expected), QuantLevel.fromTag(tag));
    }

    @Test
    void tagsThatNameNoLevel() {
        for (String t : new String[] {"latest", "8b", "instruct", "q", "q9", "q4_K_X", "q4-", "3b-instruct"}) {
            assertEquals(Optional.empty(), QuantLevel.fromTag(t), t);
        }
    }

    @Test
    void createQuantizeNames() throws Exception {
        assertEquals(QuantLevel.Q4_K_M, QuantLevel.parseForCreate("q4_K_M"));
        assertEquals(QuantLevel.Q4_K_M, QuantLevel.parseForCreate("q4_k"));
        assertEquals(QuantLevel.Q4_K_S, QuantLevel.parseForCreate("Q4_k_s"));
        assertEquals(QuantLevel.Q8_0, QuantLevel.parseForCreate("q8_0"));
        assertEquals(QuantLevel.F16, QuantLevel.parseForCreate("f16"));
        assertEquals(QuantLevel.F32, QuantLevel.parseForCreate("F32"));
        assertEquals(QuantLevel.BF16, QuantLevel.parseForCreate("bf16"));
        UnsupportedQuantizationException e = assertThrows(UnsupportedQuantizationException.class,
                () -> QuantLevel.parseForCreate("q6_K"));
        assertEquals("unsupported quantization type Q6_K - supported types are F32, F16, Q4_K_S, Q4_K_M, Q8_0",
                e.getMessage());
        assertThrows(UnsupportedQuantizationException.class, () -> QuantLevel.parseForCreate("fp16"));
        assertEquals(false, QuantLevel.BF16.createSupported());
        assertEquals(true, QuantLevel.Q4_K_S.createSupported());
    }

    @Test
    void fileTypeIdsAndNames() {
        assertEquals(15, QuantLevel.Q4_K_M.fileType());
        assertEquals(7, QuantLevel.Q8_0.fileType());
        assertEquals(32, QuantLevel.BF16.fileType());
        assertEquals(40, QuantLevel.Q1_0.fileType());
        assertEquals("Q4_K_M", QuantLevel.quantizationLevelName(15));
        assertEquals("IQ4_XS", QuantLevel.quantizationLevelName(30));
        assertEquals("unknown", QuantLevel.quantizationLevelName(4));
        assertEquals("unknown", QuantLevel.quantizationLevelName(99));
        assertEquals("q4_K_M", QuantLevel.Q4_K_M.tagName());
        assertEquals("iq4_XS", QuantLevel.IQ4_XS.tagName());
        assertEquals("fp16", QuantLevel.F16.tagName());
        assertEquals("Q6_K", QuantLevel.Q6_K.ftypeName());
        for (QuantLevel q : QuantLevel.values()) {
            assertEquals(Optional.of(q), QuantLevel.parse(q.name().toLowerCase()));
            assertEquals(Optional.of(q), QuantLevel.fromTag(q.tagName()));
        }
    }
}
