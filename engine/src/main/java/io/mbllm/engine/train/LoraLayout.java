package io.mbllm.engine.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import io.mbllm.engine.model.ModelConfig;

/**
 * Where every adapted matrix's A and B live in one flat float array: layer by layer, targets in
 * {@link LoraTarget} order, {@code lora_a} (A, r × n_in, row-major) then {@code lora_b} (B, n_out × r). This is
 * the layout of the reference's {@code .f32} snapshots and the tensor order of the written adapter.
 *
 * @param rank  r
 * @param slots the adapted matrices in order
 * @param size  total number of parameters
 */
public record LoraLayout(int rank, List<Slot> slots, int size) {
    /**
     * One adapted matrix.
     *
     * @param layer   block index
     * @param target  which matrix
     * @param nIn     columns of the base matrix (its input width)
     * @param nOut    rows of the base matrix (its output width)
     * @param aOffset index of A[0][0]
     * @param bOffset index of B[0][0]
     */
    public record Slot(int layer, LoraTarget target, int nIn, int nOut, int aOffset, int bOffset) {
        /** The base tensor name, e.g. {@code blk.0.attn_q.weight}. */
        public String baseName() {
            return target.baseName(layer);
        }
    }

    public LoraLayout {
        slots = List.copyOf(slots);
    }

    /**
     * The layout for {@code targets} on every block of a model with configuration {@code cfg}.
     *
     * @throws IllegalArgumentException when the rank is not positive or the parameters do not fit an array
     */
    public static LoraLayout of(ModelConfig cfg, Set<LoraTarget> targets, int rank) {
        if (rank < 1) throw new IllegalArgumentException("--rank must be at least 1, got " + rank);
        List<Slot> slots = new ArrayList<>();
        long off = 0;
        int nEmbd = cfg.embeddingLength();
        for (int l = 0; l < cfg.blockCount(); l++) {
            for (LoraTarget t : LoraTarget.values()) {
                if (!targets.contains(t)) continue;
                int nFf = cfg.feedForwardLength(l);
                int nIn = switch (t) {
                    case Q, K, V, GATE, UP -> nEmbd;
                    case O -> cfg.headCount(l) * cfg.valueLength();
                    case DOWN -> nFf;
                };
                int nOut = switch (t) {
                    case Q -> cfg.queryDim(l);
                    case K -> cfg.keyDim(l);
                    case V -> cfg.valueDim(l);
                    case O, DOWN -> nEmbd;
                    case GATE, UP -> nFf;
                };
                long a = off, b = a + (long) rank * nIn;
                off = b + (long) nOut * rank;
                if (off > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("rank " + rank + " gives more than 2^31 adapter parameters; use a smaller rank or fewer targets");
                }
                slots.add(new Slot(l, t, nIn, nOut, (int) a, (int) b));
            }
        }
        return new LoraLayout(rank, Collections.unmodifiableList(slots), (int) off);
    }

    /** The slot of {@code target} in {@code layer}, or {@code null} when it is not adapted. */
    public Slot find(int layer, LoraTarget target) {
        for (Slot s : slots) if (s.layer == layer && s.target == target) return s;
        return null;
    }
}
