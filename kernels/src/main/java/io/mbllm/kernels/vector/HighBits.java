package io.mbllm.kernels.vector;

import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** Spreads 16 bits of a Q5_0/Q5_1 {@code qh} word over 16 short lanes as the value 16 (bit set) or 0. */
final class HighBits {
    private HighBits() {}

    /** Lane i shifts by i. */
    private static final ShortVector IOTA = ShortVector.fromArray(Simd.S256,
            new short[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0);

    /** Lane i is 16 when bit i of {@code bits} is set, else 0. */
    static ShortVector of(int bits) {
        return ShortVector.broadcast(Simd.S256, (short) bits).lanewise(VectorOperators.LSHR, IOTA)
                .lanewise(VectorOperators.LSHL, 4).and((short) 16);
    }
}
