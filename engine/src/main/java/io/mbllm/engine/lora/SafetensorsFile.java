package io.mbllm.engine.lora;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.mbllm.gguf.quant.BFloat16;
import io.mbllm.gguf.quant.Half;

/**
 * A {@code .safetensors} file, memory-mapped: an 8-byte little-endian header length N, N bytes of JSON
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {..}}}),
 * then the raw little-endian tensor bytes (offsets are relative to the end of the header; shapes are row-major,
 * the last dimension contiguous). Every offset, size and shape is checked on open.
 */
public final class SafetensorsFile implements AutoCloseable {
    private static final long MAX_HEADER = 100L << 20;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One tensor: dtype name as in the file, row-major shape, and its bytes (a slice of the mapping). */
    public record Tensor(String name, String dtype, long[] shape, MemorySegment data) {
        public Tensor {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Number of elements. */
        public long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        /** All values as floats (F32, F16 or BF16). */
        public float[] toFloats() throws SafetensorsException {
            long n = elements();
            if (n > Integer.MAX_VALUE - 8) throw new SafetensorsException("tensor '" + name + "' is too large to convert");
            float[] out = new float[(int) n];
            switch (dtype) {
                case "F32" -> { for (int i = 0; i < out.length; i++) out[i] = data.get(F32, 4L * i); }
                case "F16" -> { for (int i = 0; i < out.length; i++) out[i] = Half.toFloat(data.get(I16, 2L * i)); }
                case "BF16" -> { for (int i = 0; i < out.length; i++) out[i] = BFloat16.toFloat(data.get(I16, 2L * i)); }
                default -> throw new SafetensorsException("tensor '" + name + "' has dtype " + dtype + "; only F32, F16 and BF16 can be converted");
            }
            return out;
        }
    }

    private final Path path;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.path = path;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /**
     * Maps and validates a file.
     *
     * @throws SafetensorsException when it is not a valid safetensors file
     * @throws IOException          when it cannot be read
     */
    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return parse(path, arena, seg);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, Arena arena, MemorySegment seg) throws SafetensorsException {
        String where = path + ": ";
        if (seg.byteSize() < 8) throw new SafetensorsException(where + "too short for a safetensors header");
        long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 2 || n > MAX_HEADER || n > seg.byteSize() - 8) {
            throw new SafetensorsException(where + "header length " + Long.toUnsignedString(n) + " is invalid for a file of " + seg.byteSize() + " bytes");
        }
        byte[] hb = seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(hb)).toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(where + "header is not UTF-8");
        }
        Object root;
        try {
            root = JsonReader.parse(json.stripTrailing());
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(where + "bad header: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> entries)) throw new SafetensorsException(where + "header is not a JSON object");
        MemorySegment data = seg.asSlice(8 + n).asReadOnly();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (var e : entries.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw new SafetensorsException(where + "__metadata__ is not an object");
                for (var me : m.entrySet()) {
                    if (!(me.getValue() instanceof String v)) throw new SafetensorsException(where + "__metadata__ values must be strings");
                    meta.put((String) me.getKey(), v);
                }
                continue;
            }
            if (!(e.getValue() instanceof Map<?, ?> info)) throw new SafetensorsException(where + "entry '" + name + "' is not an object");
            if (!(info.get("dtype") instanceof String dtype)) throw new SafetensorsException(where + "tensor '" + name + "' has no dtype");
            int size = dtypeSize(dtype);
            if (size == 0) throw new SafetensorsException(where + "tensor '" + name + "' has unknown dtype " + dtype);
            long[] shape = longs(info.get("shape"), where + "tensor '" + name + "' shape");
            long[] off = longs(info.get("data_offsets"), where + "tensor '" + name + "' data_offsets");
            if (off.length != 2) throw new SafetensorsException(where + "tensor '" + name + "' data_offsets must have 2 entries");
            long elements = 1;
            try {
                for (long d : shape) elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException ex) {
                throw new SafetensorsException(where + "tensor '" + name + "' shape overflows");
            }
            if (off[0] > off[1] || off[1] > data.byteSize()) {
                throw new SafetensorsException(where + "tensor '" + name + "' data_offsets " + Arrays.toString(off)
                        + " lie outside the " + data.byteSize() + " data bytes");
            }
            if (elements > Long.MAX_VALUE / size || off[1] - off[0] != elements * size) {
                throw new SafetensorsException(where + "tensor '" + name + "' has " + (off[1] - off[0]) + " bytes for shape "
                        + Arrays.toString(shape) + " of " + dtype);
            }
            ranges.add(new long[] {off[0], off[1]});
            tensors.put(name, new Tensor(name, dtype, shape, data.asSlice(off[0], off[1] - off[0])));
        }
        ranges.sort((x, y) -> Long.compare(x[0], y[0]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] < ranges.get(i - 1)[1]) throw new SafetensorsException(where + "tensor data ranges overlap");
        }
        return new SafetensorsFile(path, arena, tensors, meta);
    }

    private static long[] longs(Object v, String what) throws SafetensorsException {
        if (!(v instanceof List<?> l)) throw new SafetensorsException(what + " is not an array");
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Long x) || x < 0) throw new SafetensorsException(what + " must hold non-negative integers");
            out[i] = x;
        }
        return out;
    }

    private static int dtypeSize(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> 0;
        };
    }

    /** The tensors in header order. */
    public Map<String, Tensor> tensors() {
        return java.util.Collections.unmodifiableMap(tensors);
    }

    /** The tensor with this name, if any. */
    public Optional<Tensor> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The {@code __metadata__} strings. */
    public Map<String, String> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /** The file path. */
    public Path path() {
        return path;
    }

    /** Unmaps the file. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
