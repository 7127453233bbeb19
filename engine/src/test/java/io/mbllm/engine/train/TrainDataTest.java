package io.mbllm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.mbllm.engine.model.GgufModelSource;
import io.mbllm.engine.template.ChatFormatter;
import io.mbllm.engine.template.ChatMessage;
import io.mbllm.engine.tokenizer.Tokenizer;
import io.mbllm.engine.tokenizer.Tokenizers;
import io.mbllm.testkit.SharedData;

/** Loss masks of the jsonl formats, with stories260K's tokenizer. */
class TrainDataTest {
    static Tokenizer tok;

    @BeforeAll
    static void load() throws Exception {
        try (GgufModelSource s = GgufModelSource.open(SharedData.require("models/stories260K.gguf"))) {
            tok = Tokenizers.fromGguf(s.file().metadata());
        }
    }

    static String scoredText(TrainData.Example e) {
        List<Integer> ids = new ArrayList<>();
        for (int p = 0; p < e.tokens().length; p++) if (e.scored()[p]) ids.add(e.tokens()[p]);
        return tok.decode(ids.stream().mapToInt(Integer::intValue).toArray(), false, true);
    }

    @Test
    void completionScoresTheCompletionAndEos() {
        TrainData.Example e = TrainData.completion(tok, "Once upon a time", " there was a cat.");
        assertEquals(tok.bos(), e.tokens()[0]);
        assertEquals(tok.eos(), e.tokens()[e.tokens().length - 1]);
        assertTrue(e.scored()[e.tokens().length - 1]);
        int[] prompt = tok.encode("Once upon a time", true, false);
        for (int p = 0; p < prompt.length; p++) assertEquals(false, e.scored()[p], "prompt token " + p);
        String scored = scoredText(e);
        assertTrue(scored.strip().startsWith("there was a cat.") && !scored.contains("upon"), scored);
    }

    @Test
    void chatScoresOnlyAssistantTurns() throws Exception {
        String template = "{{ bos_token }}{% for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}"
                + "{% if add_generation_prompt %}assistant:{% endif %}";
        ChatFormatter fmt = ChatFormatter.create(template, "<s>", "</s>");
        List<ChatMessage> conv = List.of(ChatMessage.user("Hi there."), ChatMessage.assistant("Hello, Lily."),
                ChatMessage.user("Play?"), ChatMessage.assistant("Yes, the ball."));
        TrainData.Example e = TrainData.chat(tok, fmt, "<s>", conv);
        assertEquals(tok.bos(), e.tokens()[0]);
        assertEquals(1, Arrays.stream(e.tokens()).filter(t -> t == tok.bos()).count(), "BOS from the template only");
        String scored = scoredText(e);
        assertTrue(scored.contains("Hello, Lily.") && scored.contains("Yes, the ball."), scored);
        assertTrue(!scored.contains("Hi there") && !scored.contains("Play?") && !scored.contains("user"), scored);
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                () -> TrainData.chat(tok, fmt, "<s>", List.of(ChatMessage.user("only a question"))));
        assertTrue(x.getMessage().contains("no assistant message"), x.getMessage());
    }

    @Test
    void examplesAreCutBatchedAndLeftOutWhenNothingIsScored() {
        TrainData.Example a = new TrainData.Example(new int[] {1, 5, 6, 7, 8}, new boolean[] {false, false, true, true, true});
        TrainData.Example b = new TrainData.Example(new int[] {1, 9, 10}, new boolean[] {false, false, false});
        TrainData.Example c = new TrainData.Example(new int[] {1, 11}, new boolean[] {false, true});
        TrainData.Prepared p = TrainData.examples(List.of(a, b, c), 4, 1);
        assertEquals(1, p.truncated());
        assertEquals(1, p.dropped());
        assertEquals(2, p.batches().size());
        TrainBatch first = p.batches().get(0);
        assertArrayEquals(new int[] {1, 5, 6, 7}, first.tokens());
        assertArrayEquals(new int[] {TrainBatch.NO_TARGET, 6, 7, TrainBatch.NO_TARGET}, first.targets());
        assertArrayEquals(new int[] {11, TrainBatch.NO_TARGET}, p.batches().get(1).targets());
        assertThrows(IllegalArgumentException.class, () -> TrainData.examples(List.of(b), 4, 1));
    }
}
