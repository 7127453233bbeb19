package io.mbllm.gguf.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Little-endian field access of every block codec: heap byte arrays are written (and read back) when quantizing,
 * memory segments (usually mapped weights) are read when dequantizing and in dot products.
 */
final class LittleEndian {
    private LittleEndian() {}

    static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static void putShort(byte[] dst, int off, short v) {
        dst[off] = (byte) v;
        dst[off + 1] = (byte) (v >>> 8);
    }

    static void putInt(byte[] dst, int off, int v) {
        dst[off] = (byte) v;
        dst[off + 1] = (byte) (v >>> 8);
        dst[off + 2] = (byte) (v >>> 16);
        dst[off + 3] = (byte) (v >>> 24);
    }

    /** Stores {@code f} as ggml fp16 at {@code off}. */
    static void putHalf(byte[] dst, int off, float f) {
        putShort(dst, off, Half.fromFloat(f));
    }

    /** Reads the fp16 at {@code off} of {@code b} as a float (a value just stored with {@link #putHalf}). */
    static float half(byte[] b, int off) {
        return Half.toFloat((short) ((b[off] & 0xFF) | (b[off + 1] << 8)));
    }

    /** Reads the fp16 at byte {@code off} of {@code seg} as a float. */
    static float half(MemorySegment seg, long off) {
        return Half.toFloat(seg.get(LE_SHORT, off));
    }

    /** The unsigned byte at {@code off} of {@code seg}. */
    static int u8(MemorySegment seg, long off) {
        return seg.get(BYTE, off) & 0xFF;
    }
}
