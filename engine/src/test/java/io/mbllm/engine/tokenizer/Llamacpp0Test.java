package io.mbllm.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * llama.cpp's test-tokenizer-0 vectors ({@code shared/testdata/tokenizer}): every {@code .inp} string encoded
 * with addSpecial=false, parseSpecial=false must give exactly the {@code .out} ids.
 */
class Llamacpp0Test {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "llama-spm, testdata/tokenizer/ggml-vocab-llama-spm.gguf, testdata/tokenizer/ggml-vocab-llama-spm.gguf",
            "phi-3, testdata/tokenizer/ggml-vocab-phi-3.gguf, testdata/tokenizer/ggml-vocab-phi-3.gguf",
            "gpt-2, testdata/tokenizer/ggml-vocab-gpt-2.gguf, testdata/tokenizer/ggml-vocab-gpt-2.gguf",
            "falcon, testdata/tokenizer/ggml-vocab-falcon.gguf, testdata/tokenizer/ggml-vocab-falcon.gguf",
            "starcoder, testdata/tokenizer/ggml-vocab-starcoder.gguf, testdata/tokenizer/ggml-vocab-starcoder.gguf",
            "deepseek-llm, testdata/tokenizer/ggml-vocab-deepseek-llm.gguf, testdata/tokenizer/ggml-vocab-deepseek-llm.gguf",
            "deepseek-coder, testdata/tokenizer/ggml-vocab-deepseek-coder.gguf, testdata/tokenizer/ggml-vocab-deepseek-coder.gguf",
            "mpt, testdata/tokenizer/ggml-vocab-mpt.gguf, testdata/tokenizer/ggml-vocab-mpt.gguf",
            "refact, testdata/tokenizer/ggml-vocab-refact.gguf, testdata/tokenizer/ggml-vocab-refact.gguf",
            "bert-bge, testdata/tokenizer/ggml-vocab-bert-bge.gguf, testdata/tokenizer/ggml-vocab-bert-bge.gguf",
            "llama-bpe (Llama-3 vocab), testdata/llamacpp-oracle/vocab/vocab-llama3.gguf, testdata/tokenizer/ggml-vocab-llama-bpe.gguf",
    })
    void encodeMatchesLlamaCpp(String name, String vocab, String vectors) throws Exception {
        Tokenizer tok = VocabTestData.tokenizer(vocab);
        List<VocabTestData.Case> cases = VocabTestData.cases(vectors);
        List<String> failures = new ArrayList<>();
        for (VocabTestData.Case c : cases) {
            int[] got = tok.encode(c.text(), false, false);
            if (!Arrays.equals(got, c.expected())) {
                failures.add("'" + c.text() + "'\n   expected " + Arrays.toString(c.expected()) + "\n   got      " + Arrays.toString(got));
            }
        }
        System.out.printf("[tokenizer] %-28s encode %d/%d%n", name, cases.size() - failures.size(), cases.size());
        assertEquals(List.of(), failures, name);
    }
}
