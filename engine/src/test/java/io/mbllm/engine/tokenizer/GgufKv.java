package io.mbllm.engine.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test-only reader of the key/value section of a GGUF file (shared/docs/gguf.md §1), exposed as
 * {@link TokenizerMetadata}. It stands in for the project's GGUF reader until that is available to this module.
 */
final class GgufKv implements TokenizerMetadata {
    private final Map<String, Object> kv = new HashMap<>();

    static GgufKv read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != 0x46554747) throw new IOException("not a GGUF file: " + file);
        int version = b.getInt();
        if (version < 2 || version > 3) throw new IOException("unsupported GGUF version " + version);
        b.getLong(); // tensor count
        long n = b.getLong();
        GgufKv r = new GgufKv();
        for (long i = 0; i < n; i++) {
            String key = new String(bytes(b), StandardCharsets.UTF_8);
            r.kv.put(key, value(b, b.getInt()));
        }
        return r;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] s = new byte[Math.toIntExact(b.getLong())];
        b.get(s);
        return s;
    }

    private static Object value(ByteBuffer b, int type) throws IOException {
        return switch (type) {
            case 0 -> (long) (b.get() & 0xFF);
            case 1 -> (long) b.get();
            case 2 -> (long) (b.getShort() & 0xFFFF);
            case 3 -> (long) b.getShort();
            case 4 -> b.getInt() & 0xFFFFFFFFL;
            case 5 -> (long) b.getInt();
            case 6 -> b.getFloat();
            case 7 -> b.get() != 0;
            case 8 -> bytes(b);
            case 9 -> {
                int et = b.getInt();
                int count = Math.toIntExact(b.getLong());
                List<Object> list = new ArrayList<>(count);
                for (int i = 0; i < count; i++) list.add(value(b, et));
                yield list;
            }
            case 10, 11 -> b.getLong();
            case 12 -> b.getDouble();
            default -> throw new IOException("bad GGUF value type " + type);
        };
    }

    @Override
    public Optional<String> string(String key) {
        return Optional.ofNullable(kv.get(key)).map(v -> new String((byte[]) v, StandardCharsets.UTF_8));
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<List<byte[]>> stringArray(String key) {
        return Optional.ofNullable(kv.get(key)).map(v -> (List<byte[]>) (List<?>) v);
    }

    @Override
    public Optional<int[]> intArray(String key) {
        return Optional.ofNullable(kv.get(key)).map(v -> ((List<?>) v).stream().mapToInt(x -> (int) (long) (Long) x).toArray());
    }

    @Override
    public Optional<float[]> floatArray(String key) {
        return Optional.ofNullable(kv.get(key)).map(v -> {
            List<?> l = (List<?>) v;
            float[] f = new float[l.size()];
            for (int i = 0; i < f.length; i++) f[i] = (Float) l.get(i);
            return f;
        });
    }

    @Override
    public Optional<Long> integer(String key) {
        return Optional.ofNullable((Long) kv.get(key));
    }

    @Override
    public Optional<Boolean> bool(String key) {
        return Optional.ofNullable((Boolean) kv.get(key));
    }

    /** Overrides or removes a key (null removes), for tests of error paths. */
    GgufKv with(String key, Object value) {
        if (value == null) kv.remove(key); else kv.put(key, value instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : value);
        return this;
    }
}
