package io.mbllm.engine.train;

import java.util.ArrayList;
import java.util.List;

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
}
