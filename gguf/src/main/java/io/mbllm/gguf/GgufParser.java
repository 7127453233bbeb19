package io.mbllm.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Parses and validates the header, metadata and tensor infos of a GGUF file held in a {@link MemorySegment}.
 *
 * <p>Every count, length, offset and size is checked against the bytes that remain before anything is
 * allocated, so a corrupt file ends in {@link GgufFormatException} and never in an out-of-memory error, an
 * overflow or a long loop. Rules follow ggml's reader ({@code shared/docs/gguf.md} §1) with these deliberate
 * differences:
 * <ul>
 *   <li>lenient: tensor data offsets may be any aligned offsets (ggml demands back-to-back order), as long
 *       as tensors lie inside the file and do not overlap; the padding after the last tensor may be
 *       missing; padding bytes are not checked; arrays of arrays are read (ggml rejects them) up to
 *       {@value #MAX_ARRAY_DEPTH} levels;</li>
 *   <li>stricter: keys and tensor names must be valid UTF-8; at most {@value #MAX_TENSORS} tensors; the
 *       decoded metadata may take at most {@value #METADATA_BUDGET} bytes of heap (estimated), which is far
 *       above any real file (a 256k-token vocabulary needs a few MB).</li>
 * </ul>
 */
final class GgufParser {
    static final int MAX_ARRAY_DEPTH = 16;
    static final int MAX_TENSORS = 1 << 20;
    static final long METADATA_BUDGET = 512L << 20;
    /** Estimated heap overhead of one decoded key/value or array object, charged to the budget. */
    private static final int ENTRY_OVERHEAD = 64;
    /** Smallest possible tensor info: name length, n_dims, type, offset. */
    private static final int MIN_TENSOR_INFO = 8 + 4 + 4 + 8;
    /** Smallest possible KV: key length, one key byte, value type, one value byte. */
    private static final int MIN_KV = 8 + 1 + 4 + 1;
    static final int DEFAULT_ALIGNMENT = 32;
    static final int MAGIC = 0x46554747; // "GGUF" read as little-endian u32

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Test hook: told the offset of every field the parser is about to read. */
    interface FieldListener {
        void field(long offset);
    }

    /** Everything the parser found. {@code infoEnd} is the offset right after the last tensor info. */
    record Result(int version, GgufMetadata metadata, List<TensorInfo> tensors, int alignment, long infoEnd,
                  long dataOffset) {}

    private final MemorySegment seg;
    private final long size;
    private final FieldListener listener;
    private long pos;
    private long budget = METADATA_BUDGET;

    private GgufParser(MemorySegment seg, FieldListener listener) {
        this.seg = seg;
        this.size = seg.byteSize();
        this.listener = listener;
    }

    static Result parse(MemorySegment seg, FieldListener listener) throws GgufFormatException {
        return new GgufParser(seg, listener).run();
    }

    // ---------------------------------------------------------------- primitives

    private long remaining() { return size - pos; }

    private void need(long n, String what) throws GgufFormatException {
        if (n < 0 || n > remaining()) {
            throw new GgufFormatException(pos, "truncated: " + what + " needs " + (n < 0 ? Long.toUnsignedString(n) : n)
                    + " bytes, " + remaining() + " left in a " + size + "-byte file");
        }
    }

    private void mark() {
        if (listener != null) listener.field(pos);
    }

    private int u32(String what) throws GgufFormatException {
        mark();
        need(4, what);
        int v = seg.get(U32, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) throws GgufFormatException {
        mark();
        need(8, what);
        long v = seg.get(U64, pos);
        pos += 8;
        return v;
    }

    private void charge(long bytes, long at, String what) throws GgufFormatException {
        budget -= bytes;
        if (budget < 0) {
            throw new GgufFormatException(at, what + ": metadata would need more than " + (METADATA_BUDGET >> 20)
                    + " MiB of memory; refusing");
        }
    }

    /** Reads a length-prefixed byte string. */
    private byte[] string(String what) throws GgufFormatException {
        long at = pos;
        long len = u64(what + " length");
        if (len < 0 || len > remaining()) {
            throw new GgufFormatException(at, what + " length " + Long.toUnsignedString(len)
                    + " extends past end of file (" + remaining() + " bytes left)");
        }
        if (len > Integer.MAX_VALUE - 16) throw new GgufFormatException(at, what + " length " + len + " is too large");
        charge(len + ENTRY_OVERHEAD, at, what);
        mark();
        byte[] b = new byte[(int) len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, b, 0, b.length);
        pos += len;
        return b;
    }

    private static String strictUtf8(byte[] b, long at, String what) throws GgufFormatException {
        boolean ascii = true;
        for (byte x : b) {
            if (x < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return new String(b, StandardCharsets.ISO_8859_1);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new GgufFormatException(at, what + " is not valid UTF-8");
        }
    }

    // ---------------------------------------------------------------- file

    private Result run() throws GgufFormatException {
        mark();
        if (size < 4) throw new GgufFormatException(0, "file is " + size + " bytes, too small for the GGUF magic");
        int magic = seg.get(U32, 0);
        if (magic != MAGIC) {
            byte[] m = new byte[4];
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, 0, m, 0, 4);
            throw new GgufFormatException(0, "bad magic " + hex(m) + ", expected \"GGUF\" (47 47 55 46)");
        }
        pos = 4;
        long versionAt = pos;
        int version = u32("version");
        if ((version & 0xFFFF) == 0) {
            throw new GgufFormatException(versionAt, "version 0x" + Integer.toHexString(version)
                    + " (low 16 bits are 0: a big-endian or corrupt file; only little-endian is supported)");
        }
        if (version == 1) throw new GgufFormatException(versionAt, "GGUF version 1 is not supported (only 2 and 3)");
        if (version != 2 && version != 3) {
            throw new GgufFormatException(versionAt, "unsupported GGUF version " + Integer.toUnsignedString(version)
                    + " (only 2 and 3)");
        }
        long countAt = pos;
        long nTensors = u64("tensor count");
        long kvAt = pos;
        long nKv = u64("kv count");
        if (nTensors < 0 || nTensors > remaining() / MIN_TENSOR_INFO) {
            throw new GgufFormatException(countAt, "tensor count " + Long.toUnsignedString(nTensors)
                    + " cannot fit in the " + remaining() + " bytes left");
        }
        if (nTensors > MAX_TENSORS) {
            throw new GgufFormatException(countAt, "tensor count " + nTensors + " exceeds the supported " + MAX_TENSORS);
        }
        if (nKv < 0 || nKv > remaining() / MIN_KV) {
            throw new GgufFormatException(kvAt, "kv count " + Long.toUnsignedString(nKv)
                    + " cannot fit in the " + remaining() + " bytes left");
        }

        GgufMetadata metadata = readMetadata(nKv);
        int alignment = alignment(metadata);
        List<TensorInfo> tensors = readTensorInfos((int) nTensors, alignment);
        long infoEnd = pos;
        long dataOffset = alignUp(infoEnd, alignment);
        if (!tensors.isEmpty() && dataOffset > size) {
            throw new GgufFormatException(infoEnd, "data section would start at " + dataOffset
                    + ", past the end of the " + size + "-byte file");
        }
        checkTensorData(tensors, dataOffset);
        return new Result(version, metadata, tensors, alignment, infoEnd, dataOffset);
    }

    static long alignUp(long x, long alignment) {
        return (x + alignment - 1) / alignment * alignment;
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(sb.isEmpty() ? "" : " ").append(String.format("%02X", x & 0xFF));
        return sb.toString();
    }

    // ---------------------------------------------------------------- metadata

    private GgufMetadata readMetadata(long nKv) throws GgufFormatException {
        LinkedHashMap<String, GgufValue> values = new LinkedHashMap<>();
        HashMap<String, Long> offsets = new HashMap<>();
        for (long i = 0; i < nKv; i++) {
            long at = pos;
            byte[] keyBytes = string("key of kv " + i);
            if (keyBytes.length == 0) throw new GgufFormatException(at, "kv " + i + " has an empty key");
            String key = strictUtf8(keyBytes, at, "key of kv " + i);
            if (values.containsKey(key)) throw new GgufFormatException(at, "duplicate key '" + key + "'");
            long typeAt = pos;
            GgufValueType type = valueType(u32("value type of '" + key + "'"), typeAt, key);
            values.put(key, value(type, key, 0));
            offsets.put(key, at);
        }
        return GgufMetadata.parsed(values, offsets);
    }

    private static GgufValueType valueType(int id, long at, String key) throws GgufFormatException {
        GgufValueType t = GgufValueType.byId(Integer.toUnsignedLong(id));
        if (t == null) {
            throw new GgufFormatException(at, "key '" + key + "': unknown value type " + Integer.toUnsignedString(id));
        }
        return t;
    }

    private GgufValue value(GgufValueType type, String key, int depth) throws GgufFormatException {
        if (type == GgufValueType.STRING) return new GgufValue.Str(string("string value of '" + key + "'"));
        if (type == GgufValueType.ARRAY) return array(key, depth);
        mark();
        need(type.fixedSize(), "value of '" + key + "'");
        charge(ENTRY_OVERHEAD, pos, "value of '" + key + "'");
        long p = pos;
        pos += type.fixedSize();
        return switch (type) {
            case UINT8 -> new GgufValue.UInt8(seg.get(ValueLayout.JAVA_BYTE, p) & 0xFF);
            case INT8 -> new GgufValue.Int8(seg.get(ValueLayout.JAVA_BYTE, p));
            case UINT16 -> new GgufValue.UInt16(seg.get(U16, p) & 0xFFFF);
            case INT16 -> new GgufValue.Int16(seg.get(U16, p));
            case UINT32 -> new GgufValue.UInt32(seg.get(U32, p) & 0xFFFF_FFFFL);
            case INT32 -> new GgufValue.Int32(seg.get(U32, p));
            case FLOAT32 -> new GgufValue.Float32(seg.get(F32, p));
            case BOOL -> new GgufValue.Bool(seg.get(ValueLayout.JAVA_BYTE, p) != 0);
            case UINT64 -> new GgufValue.UInt64(seg.get(U64, p));
            case INT64 -> new GgufValue.Int64(seg.get(U64, p));
            case FLOAT64 -> new GgufValue.Float64(seg.get(F64, p));
            case STRING, ARRAY -> throw new AssertionError(type);
        };
    }

    private GgufValue.Array array(String key, int depth) throws GgufFormatException {
        long at = pos;
        if (depth >= MAX_ARRAY_DEPTH) {
            throw new GgufFormatException(at, "key '" + key + "': arrays nested deeper than " + MAX_ARRAY_DEPTH);
        }
        GgufValueType elem = valueType(u32("array element type of '" + key + "'"), at, key);
        long countAt = pos;
        long count = u64("array count of '" + key + "'");
        long minElem = switch (elem) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> elem.fixedSize();
        };
        if (count < 0 || count > remaining() / minElem) {
            throw new GgufFormatException(countAt, "key '" + key + "': array of " + Long.toUnsignedString(count) + " "
                    + elem.shortName() + " cannot fit in the " + remaining() + " bytes left");
        }
        if (count > Integer.MAX_VALUE - 16) {
            throw new GgufFormatException(countAt, "key '" + key + "': array of " + count + " elements is too large");
        }
        charge(ENTRY_OVERHEAD, at, "array '" + key + "'");
        return switch (elem) {
            case STRING -> stringArray(key, (int) count, countAt);
            case ARRAY -> {
                List<GgufValue.Array> items = new ArrayList<>((int) Math.min(count, 1024));
                for (long i = 0; i < count; i++) items.add(array(key, depth + 1));
                yield new GgufValue.NestedArray(items);
            }
            default -> {
                long bytes = count * elem.fixedSize();
                if (bytes > Integer.MAX_VALUE - 16) {
                    throw new GgufFormatException(countAt, "key '" + key + "': array of " + bytes + " bytes is too large");
                }
                charge(bytes, countAt, "array '" + key + "'");
                mark();
                byte[] raw = new byte[(int) bytes];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, raw, 0, raw.length);
                pos += bytes;
                yield new GgufValue.NumericArray(elem, raw);
            }
        };
    }

    /** Two passes: validate every length and sum them, then copy into one blob. */
    private GgufValue.StringArray stringArray(String key, int count, long countAt) throws GgufFormatException {
        long p = pos;
        long total = 0;
        for (int i = 0; i < count; i++) {
            if (listener != null) listener.field(p);
            if (size - p < 8) {
                throw new GgufFormatException(p, "truncated: key '" + key + "': string " + i + " of " + count
                        + " has no length (" + (size - p) + " bytes left)");
            }
            long len = seg.get(U64, p);
            p += 8;
            if (len < 0 || len > size - p) {
                throw new GgufFormatException(p - 8, "key '" + key + "': string " + i + " length "
                        + Long.toUnsignedString(len) + " extends past end of file (" + (size - p) + " bytes left)");
            }
            p += len;
            total += len;
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new GgufFormatException(countAt, "key '" + key + "': string array of " + total + " bytes is too large");
        }
        charge(total + 4L * count, countAt, "array '" + key + "'");
        byte[] blob = new byte[(int) total];
        int[] ends = new int[count];
        int out = 0;
        for (int i = 0; i < count; i++) {
            int len = (int) seg.get(U64, pos);
            pos += 8;
            MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, blob, out, len);
            pos += len;
            out += len;
            ends[i] = out;
        }
        return new GgufValue.StringArray(blob, ends);
    }

    private static int alignment(GgufMetadata metadata) throws GgufFormatException {
        GgufValue v = metadata.find(GgufMetadata.ALIGNMENT_KEY).orElse(null);
        if (v == null) return DEFAULT_ALIGNMENT;
        long at = metadata.keyOffset(GgufMetadata.ALIGNMENT_KEY);
        if (!(v instanceof GgufValue.UInt32(long a))) {
            throw new GgufFormatException(at, GgufMetadata.ALIGNMENT_KEY + " has type " + v.type().shortName()
                    + ", expected u32");
        }
        if (a == 0 || (a & (a - 1)) != 0 || a > (1L << 30)) {
            throw new GgufFormatException(at, GgufMetadata.ALIGNMENT_KEY + " = " + a
                    + " is not a power of two in 1 … 2^30");
        }
        return (int) a;
    }

    // ---------------------------------------------------------------- tensor infos

    private List<TensorInfo> readTensorInfos(int n, int alignment) throws GgufFormatException {
        List<TensorInfo> out = new ArrayList<>(Math.min(n, 4096));
        HashMap<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            long at = pos;
            long nameLen = peekLength();
            if (nameLen < 0 || nameLen > TensorInfo.MAX_NAME_BYTES) {
                throw new GgufFormatException(at, "tensor " + i + " name length " + Long.toUnsignedString(nameLen)
                        + " exceeds " + TensorInfo.MAX_NAME_BYTES + " bytes");
            }
            String name = strictUtf8(string("name of tensor " + i), at, "name of tensor " + i);
            if (seen.putIfAbsent(name, i) != null) {
                throw new GgufFormatException(at, "duplicate tensor name '" + name + "'");
            }
            long dimsAt = pos;
            int nDims = u32("n_dims of '" + name + "'");
            if (nDims < 0 || nDims > TensorInfo.MAX_DIMS) {
                throw new GgufFormatException(dimsAt, "tensor '" + name + "' has n_dims " + Integer.toUnsignedString(nDims)
                        + " > " + TensorInfo.MAX_DIMS);
            }
            long[] ne = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                long neAt = pos;
                ne[d] = u64("ne[" + d + "] of '" + name + "'");
                if (ne[d] < 0) {
                    throw new GgufFormatException(neAt, "tensor '" + name + "' ne[" + d + "] = "
                            + Long.toUnsignedString(ne[d]) + " is negative as int64");
                }
            }
            long typeAt = pos;
            int typeId = u32("type of '" + name + "'");
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw new GgufFormatException(typeAt, "tensor '" + name + "' has unknown ggml type id "
                        + Integer.toUnsignedString(typeId));
            }
            long ne0 = nDims > 0 ? ne[0] : 1;
            if (ne0 % type.blockSize() != 0) {
                throw new GgufFormatException(typeAt, "tensor '" + name + "' ne[0] = " + ne0
                        + " is not a multiple of the " + type.ggmlName() + " block size " + type.blockSize());
            }
            if (TensorInfo.byteSizeOrNegative(ne, type) < 0) {
                throw new GgufFormatException(dimsAt, "tensor '" + name + "' shape " + Arrays.toString(ne)
                        + " overflows int64");
            }
            long offAt = pos;
            long offset = u64("offset of '" + name + "'");
            if (offset < 0 || offset % alignment != 0) {
                throw new GgufFormatException(offAt, "tensor '" + name + "' offset " + Long.toUnsignedString(offset)
                        + " is not a multiple of the alignment " + alignment);
            }
            out.add(new TensorInfo(name, ne, type, offset));
        }
        return out;
    }

    private long peekLength() throws GgufFormatException {
        mark();
        need(8, "tensor name length");
        return seg.get(U64, pos);
    }

    /** Every tensor's bytes lie inside the file; no two tensors overlap. */
    private void checkTensorData(List<TensorInfo> tensors, long dataOffset) throws GgufFormatException {
        long dataBytes = size - dataOffset;
        Integer[] order = new Integer[tensors.size()];
        for (int i = 0; i < order.length; i++) {
            TensorInfo t = tensors.get(i);
            long nbytes = t.byteSize();
            if (t.offset() > dataBytes || nbytes > dataBytes - t.offset()) {
                throw new GgufFormatException(dataOffset + Math.min(t.offset(), dataBytes), "tensor '" + t.name()
                        + "' data [" + t.offset() + ", +" + nbytes + ") extends past end of file (data section has "
                        + dataBytes + " bytes)");
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(tensors.get(a).offset(), tensors.get(b).offset()));
        for (int k = 1; k < order.length; k++) {
            TensorInfo prev = tensors.get(order[k - 1]);
            TensorInfo cur = tensors.get(order[k]);
            if (cur.offset() < prev.offset() + prev.byteSize()) {
                throw new GgufFormatException(dataOffset + cur.offset(), "tensor '" + cur.name() + "' data at "
                        + cur.offset() + " overlaps tensor '" + prev.name() + "' [" + prev.offset() + ", +"
                        + prev.byteSize() + ")");
            }
        }
    }
}
