package io.mbllm.kernels.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Species and small helpers shared by the kernels. The integer kernels work on 16 elements at a time: 16 weight
 * bytes widened to a 256-bit {@link ShortVector} and multiplied by 16 activations kept as shorts, then adjacent
 * short lanes are summed into 8 int lanes ({@link #pairSum}). The float kernels use the preferred float species.
 * All helpers are tiny so that C2 inlines them and keeps the vectors in registers.
 */
final class Simd {
    private Simd() {}

    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;

    /**
     * Widest vector size used, in bits: the preferred size capped to 512, or the system property
     * {@code mbllm.vector.maxBits} when smaller (tests use 256 to cover the AVX2 shapes on an AVX-512 machine).
     */
    static final int MAX_BITS = Math.min(Math.min(512, ShortVector.SPECIES_PREFERRED.vectorBitSize()),
            Integer.getInteger("mbllm.vector.maxBits", 512));

    /** Short species of the wide integer kernels: 512 bits where preferred, else 256 (32 or 16 lanes). */
    static final VectorSpecies<Short> SW = MAX_BITS >= 512 ? ShortVector.SPECIES_512 : ShortVector.SPECIES_256;
    /** Short lanes of {@link #SW}: elements per wide step. */
    static final int SL = SW.length();
    /** Byte species with as many lanes as {@link #SW}. */
    static final VectorSpecies<Byte> BW = VectorSpecies.of(byte.class, VectorShape.forBitSize(SW.vectorBitSize() / 2));
    /** Int species with the shape of {@link #SW} (one lane per pair of short lanes). */
    static final VectorSpecies<Integer> IW = VectorSpecies.of(int.class, SW.vectorShape());
    /** Float species with the shape of {@link #SW}. */
    static final VectorSpecies<Float> FW = VectorSpecies.of(float.class, SW.vectorShape());

    /** Int lanes of the upper half of {@link #IW} (elements 16..31 of a 32-element wide step). */
    static final VectorMask<Integer> IW_UPPER = IW.indexInRange(-IW.length() / 2, IW.length() / 2);
    /** Short lanes of the upper half of {@link #SW}. */
    static final VectorMask<Short> SW_UPPER = SW.indexInRange(-SL / 2, SL / 2);

    /** Float species of the float kernels and quantizers: 512 bits where preferred, else 256 (8 or 16 lanes). */
    static final VectorSpecies<Float> FP = MAX_BITS >= 512 ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    /** Int species with the shape of {@link #FP}. */
    static final VectorSpecies<Integer> IP = VectorSpecies.of(int.class, FP.vectorShape());
    /** Short species with as many lanes as {@link #FP} (half its bits). */
    static final VectorSpecies<Short> HP = VectorSpecies.of(short.class, VectorShape.forBitSize(FP.vectorBitSize() / 2));

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    /** True when the integer kernels run on native 256-bit vectors (AVX2 or wider). */
    static boolean nativeWidthOk() {
        return ByteVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** 16 bytes at {@code off}, zero-extended to 16 short lanes. */
    static ShortVector u8x16(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B128, w, off, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
    }

    /** 16 bytes at {@code off}, sign-extended to 16 short lanes. */
    static ShortVector s8x16(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(B128, w, off, LE)
                .convertShape(VectorOperators.B2S, S256, 0);
    }

    /** {@link #SL} bytes at {@code off}, zero-extended to shorts. */
    static ShortVector u8w(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(BW, w, off, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, SW, 0);
    }

    /** {@link #SL} bytes at {@code off}, sign-extended to shorts. */
    static ShortVector s8w(MemorySegment w, long off) {
        return (ShortVector) ByteVector.fromMemorySegment(BW, w, off, LE).convertShape(VectorOperators.B2S, SW, 0);
    }

    /** {@link #SL} activation codes (shorts) starting at {@code off}. */
    static ShortVector actw(short[] q, int off) {
        return ShortVector.fromArray(SW, q, off);
    }

    /** {@link #pairSum} on the wide species. */
    static IntVector pairSumW(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(v.lanewise(VectorOperators.ASHR, 16));
    }

    /**
     * {@link #pairSumW} in three operations for lanes whose pairwise sums fit a short (|lane| <= 16383): the pair
     * is added in the upper half of each int, then shifted down with sign.
     */
    static IntVector pairSumSmallW(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).add(v).lanewise(VectorOperators.ASHR, 16);
    }

    /** {@code acc + float(v) * s} on the wide species. */
    static FloatVector scaleAddW(IntVector v, float s, FloatVector acc) {
        return ((FloatVector) v.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(FW, s), acc);
    }

    /** 16 activation codes (shorts) starting at {@code off}. */
    static ShortVector act(short[] q, int off) {
        return ShortVector.fromArray(S256, q, off);
    }

    /** Sums adjacent pairs of the 16 short lanes (sign-extended) into 8 int lanes. */
    static IntVector pairSum(ShortVector p) {
        IntVector v = p.reinterpretAsInts();
        return v.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(v.lanewise(VectorOperators.ASHR, 16));
    }

    /** The 8 int lanes as floats. */
    static FloatVector toFloat(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** {@code acc + float(v) * s}, lane-wise. */
    static FloatVector scaleAdd(IntVector v, float s, FloatVector acc) {
        return toFloat(v).fma(FloatVector.broadcast(F256, s), acc);
    }

    /** The fp16 at byte {@code off} as a float. */
    static float f16(MemorySegment w, long off) {
        return Float.float16ToFloat(w.get(LE_SHORT, off));
    }
}
