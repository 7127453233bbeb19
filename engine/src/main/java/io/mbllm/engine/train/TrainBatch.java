package io.mbllm.engine.train;

/**
 * One batch of independent sequences laid end to end: {@code tokens[start[i] .. start[i]+length[i])} is sequence
 * i, evaluated from position 0 with its own causal attention. {@code targets[row]} is the token the logits at
 * {@code row} must predict, or {@link #NO_TARGET} when that row is not scored (the last position of a sequence,
 * a masked prompt).
 *
 * @param tokens  all token ids
 * @param targets per row: the next token, or {@link #NO_TARGET}
 * @param start   first row of each sequence
 * @param length  tokens of each sequence
 */
public record TrainBatch(int[] tokens, int[] targets, int[] start, int[] length) {
    /** A row whose logits are not scored. */
    public static final int NO_TARGET = -1;

    public TrainBatch {
        if (tokens.length != targets.length) throw new IllegalArgumentException("tokens and targets differ in length");
        if (start.length != length.length || start.length == 0) throw new IllegalArgumentException("a batch needs at least one sequence");
        int next = 0;
        for (int i = 0; i < start.length; i++) {
            if (start[i] != next || length[i] < 1) throw new IllegalArgumentException("sequences must be non-empty and contiguous");
            next += length[i];
        }
        if (next != tokens.length) throw new IllegalArgumentException("sequence lengths do not add up to the token count");
    }

    /** Rows (tokens) in the batch. */
    public int rows() { return tokens.length; }

    /** Sequences in the batch. */
    public int sequences() { return start.length; }

    /** Longest sequence. */
    public int maxLength() {
        int m = 0;
        for (int l : length) m = Math.max(m, l);
        return m;
    }

    /** Rows with a target. */
    public int scored() {
        int n = 0;
        for (int t : targets) if (t != NO_TARGET) n++;
        return n;
    }

    /**
     * Sequences as next-token prediction with every position scored but the last: the batch the reference trains
     * on ({@code seqs[i]} are the token runs).
     */
    public static TrainBatch nextToken(int[]... seqs) {
        int n = 0;
        for (int[] s : seqs) n += s.length;
        int[] tokens = new int[n], targets = new int[n], start = new int[seqs.length], length = new int[seqs.length];
        int row = 0;
        for (int i = 0; i < seqs.length; i++) {
            start[i] = row;
            length[i] = seqs[i].length;
            for (int p = 0; p < seqs[i].length; p++) {
                tokens[row + p] = seqs[i][p];
                targets[row + p] = p + 1 < seqs[i].length ? seqs[i][p + 1] : NO_TARGET;
            }
            row += seqs[i].length;
        }
        return new TrainBatch(tokens, targets, start, length);
    }

    /** Joins several batches into one (for gradient accumulation tests and evaluation). */
    public static TrainBatch concat(java.util.List<TrainBatch> parts) {
        int rows = 0, seqs = 0;
        for (TrainBatch b : parts) {
            rows += b.rows();
            seqs += b.sequences();
        }
        int[] tokens = new int[rows], targets = new int[rows], start = new int[seqs], length = new int[seqs];
        int r = 0, s = 0;
        for (TrainBatch b : parts) {
            System.arraycopy(b.tokens, 0, tokens, r, b.rows());
            System.arraycopy(b.targets, 0, targets, r, b.rows());
            for (int i = 0; i < b.sequences(); i++) {
                start[s] = r + b.start[i];
                length[s++] = b.length[i];
            }
            r += b.rows();
        }
        return new TrainBatch(tokens, targets, start, length);
    }
}
