package io.mbllm.engine.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.mbllm.engine.template.ChatFormatter;
import io.mbllm.engine.template.ChatMessage;
import io.mbllm.engine.template.TemplateException;
import io.mbllm.engine.tokenizer.Tokenizer;

/**
 * Turns training examples into {@link TrainBatch}es, in file order (never shuffled): batch i holds examples
 * {@code i·b … i·b + b − 1}; the last batch may be smaller.
 */
public final class TrainData {
    private TrainData() {}

    /**
     * Plain text already tokenized (BOS included, as llama-perplexity reads a file): non-overlapping sequences of
     * {@code seqLen} ids {@code ids[seqLen·i …]}, the tail that does not fill a sequence dropped, every position but
     * the last of a sequence predicting the next id.
     *
     * @throws IllegalArgumentException when the text is shorter than one sequence
     */
    public static List<TrainBatch> text(int[] ids, int seqLen, int batchSize) {
        if (seqLen < 2) throw new IllegalArgumentException("--seq-len must be at least 2, got " + seqLen);
        if (batchSize < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
        int nSeq = ids.length / seqLen;
        if (nSeq == 0) {
            throw new IllegalArgumentException("the training text has " + ids.length + " tokens, fewer than one sequence of --seq-len " + seqLen);
        }
        List<int[]> seqs = new ArrayList<>(nSeq);
        for (int i = 0; i < nSeq; i++) seqs.add(java.util.Arrays.copyOfRange(ids, i * seqLen, (i + 1) * seqLen));
        List<TrainBatch> out = new ArrayList<>();
        for (int i = 0; i < nSeq; i += batchSize) {
            out.add(TrainBatch.nextToken(seqs.subList(i, Math.min(nSeq, i + batchSize)).toArray(int[][]::new)));
        }
        return out;
    }

    /**
     * One training example: its tokens and which of them are predicted (scored): {@code scored[p]} means the logits
     * at {@code p − 1} are trained to give {@code tokens[p]}.
     */
    public record Example(int[] tokens, boolean[] scored) {
        public Example {
            if (tokens.length != scored.length) throw new IllegalArgumentException("tokens and mask differ in length");
        }

        /** The example cut to its first {@code n} tokens. */
        Example truncate(int n) {
            return tokens.length <= n ? this : new Example(Arrays.copyOf(tokens, n), Arrays.copyOf(scored, n));
        }

        int targets() {
            int c = 0;
            for (int p = 1; p < scored.length; p++) if (scored[p]) c++;
            return c;
        }
    }

    /**
     * Examples prepared for training.
     *
     * @param batches   the batches, in file order
     * @param truncated examples longer than the sequence length, cut to it
     * @param dropped   examples left without any scored token (after truncation), left out
     */
    public record Prepared(List<TrainBatch> batches, int truncated, int dropped) {}

    /**
     * Batches of whole examples (one sequence each, cut to {@code seqLen} tokens), {@code batchSize} examples per
     * batch in file order.
     *
     * @throws IllegalArgumentException when no example has anything to score
     */
    public static Prepared examples(List<Example> examples, int seqLen, int batchSize) {
        if (seqLen < 2) throw new IllegalArgumentException("--seq-len must be at least 2, got " + seqLen);
        if (batchSize < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batchSize);
        List<Example> kept = new ArrayList<>();
        int truncated = 0, dropped = 0;
        for (Example e : examples) {
            Example t = e.truncate(seqLen);
            if (t != e) truncated++;
            if (t.targets() == 0) {
                dropped++;
                continue;
            }
            kept.add(t);
        }
        if (kept.isEmpty()) throw new IllegalArgumentException("no example has any token to train on (" + dropped + " examples without targets)");
        List<TrainBatch> out = new ArrayList<>();
        for (int i = 0; i < kept.size(); i += batchSize) out.add(batch(kept.subList(i, Math.min(kept.size(), i + batchSize))));
        return new Prepared(out, truncated, dropped);
    }

    private static TrainBatch batch(List<Example> part) {
        int n = 0;
        for (Example e : part) n += e.tokens().length;
        int[] tokens = new int[n], targets = new int[n], start = new int[part.size()], length = new int[part.size()];
        int row = 0;
        for (int i = 0; i < part.size(); i++) {
            Example e = part.get(i);
            start[i] = row;
            length[i] = e.tokens().length;
            for (int p = 0; p < e.tokens().length; p++) {
                tokens[row + p] = e.tokens()[p];
                targets[row + p] = p + 1 < e.tokens().length && e.scored()[p + 1] ? e.tokens()[p + 1] : TrainBatch.NO_TARGET;
            }
            row += e.tokens().length;
        }
        return new TrainBatch(tokens, targets, start, length);
    }

    /**
     * A prompt/completion pair: BOS (when the vocabulary adds it), the prompt and the completion tokenized as one
     * text, then EOS; the completion's tokens and the EOS are scored. The prompt/completion boundary is where the
     * tokens of the whole text stop agreeing with those of the prompt alone.
     */
    public static Example completion(Tokenizer tok, String prompt, String completion) {
        int[] p = tok.encode(prompt, true, false);
        int[] full = tok.encode(prompt + completion, true, false);
        int eos = tok.eos();
        int[] tokens = eos >= 0 ? Arrays.copyOf(full, full.length + 1) : full;
        if (eos >= 0) tokens[full.length] = eos;
        boolean[] scored = new boolean[tokens.length];
        for (int i = commonPrefix(p, full); i < tokens.length; i++) scored[i] = true;
        return new Example(tokens, scored);
    }

    /**
     * A conversation rendered with the model's chat template; only the assistant turns are scored. The text of
     * assistant turn i is what the rendering of messages 0…i adds to the rendering of messages 0…i−1 with the
     * generation prompt; the tokens of the whole conversation are scored from where they stop agreeing with the
     * tokens of that prefix to where they stop agreeing with the tokens of the rendering through turn i.
     *
     * @throws IllegalArgumentException when there is no assistant turn or the template does not render a
     *                                  conversation as a growing text
     */
    public static Example chat(Tokenizer tok, ChatFormatter fmt, String bosText, List<ChatMessage> messages) throws TemplateException {
        boolean any = messages.stream().anyMatch(m -> m.role().equals("assistant"));
        if (!any) throw new IllegalArgumentException("conversation has no assistant message to train on");
        String full = fmt.format(messages, List.of(), false, null);
        int[] tokens = encodeRendered(tok, full, bosText);
        boolean[] scored = new boolean[tokens.length];
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).role().equals("assistant")) continue;
            String before = fmt.format(messages.subList(0, i), List.of(), true, null);
            String through = fmt.format(messages.subList(0, i + 1), List.of(), false, null);
            if (!through.startsWith(before) || !full.startsWith(through)) {
                throw new IllegalArgumentException("the chat template does not render this conversation as a growing text, so assistant turns cannot be masked");
            }
            int from = commonPrefix(encodeRendered(tok, before, bosText), tokens);
            int to = commonPrefix(encodeRendered(tok, through, bosText), tokens);
            for (int p = Math.max(1, from); p < to; p++) scored[p] = true;
        }
        return new Example(tokens, scored);
    }

    /** A rendered chat: special-token text parsed; BOS added unless the template already wrote it. */
    private static int[] encodeRendered(Tokenizer tok, String text, String bosText) {
        boolean hasBos = bosText != null && !bosText.isEmpty() && text.startsWith(bosText);
        return tok.encode(text, !hasBos, true);
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
