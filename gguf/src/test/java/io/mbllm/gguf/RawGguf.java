package io.mbllm.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Test helper: writes raw little-endian GGUF fields by hand, to build valid and malformed images. */
final class RawGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version 3 and the two counts. */
    static RawGguf header(long nTensors, long nKv) {
        return new RawGguf().bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(nTensors).u64(nKv);
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf u16(int v) { return u8(v).u8(v >>> 8); }

    RawGguf u32(long v) {
        for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    RawGguf u64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    RawGguf bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).bytes(b);
    }

    /** A KV with a u32 value. */
    RawGguf kvU32(String key, long v) { return str(key).u32(GgufValueType.UINT32.id()).u32(v); }

    /** A KV with a string value. */
    RawGguf kvStr(String key, String v) { return str(key).u32(GgufValueType.STRING.id()).str(v); }

    /** A tensor info. */
    RawGguf tensor(String name, GgmlType type, long offset, long... ne) {
        str(name).u32(ne.length);
        for (long n : ne) u64(n);
        return u32(type.id()).u64(offset);
    }

    int size() { return out.size(); }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    RawGguf pad(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    RawGguf zeros(int n) {
        for (int i = 0; i < n; i++) out.write(0);
        return this;
    }

    byte[] toByteArray() { return out.toByteArray(); }
}
