package io.mbllm.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (version 2 or 3), memory-mapped read-only and fully validated on open.
 *
 * <p>{@link #open} maps the whole file with the FFM API and parses header, metadata and tensor infos;
 * {@link #tensorData} returns zero-copy slices of the mapping, valid until {@link #close()}. Metadata and
 * tensor infos are plain heap objects and stay usable after close.
 *
 * <p>Validation follows ggml's reader ({@code shared/docs/gguf.md} §1): magic; version 2 or 3 (a version
 * with zero low 16 bits is reported as probably big-endian); non-empty unique keys; known value types;
 * {@code general.alignment} a UINT32 power of two; tensor names unique and ≤ 63 bytes; n_dims ≤ 4; every
 * ne ≥ 0 with no int64 overflow of elements or bytes; known ggml type; ne0 a multiple of the block size;
 * data inside the file. Every count and length is bounded by the bytes left before anything is allocated.
 * Deliberate differences:
 * <ul>
 *   <li>more lenient: tensor offsets may be any multiples of the alignment in any order (ggml wants them
 *       back to back), as long as tensors lie in the file and do not overlap; the padding after the last
 *       tensor may be missing; padding bytes are not checked; arrays of arrays (rejected by ggml) are read
 *       up to 16 levels deep; strings/arrays are not capped at 2³⁰;</li>
 *   <li>stricter: keys and tensor names must be valid UTF-8 (string values need not be); at most 2²⁰
 *       tensors; decoded metadata is refused beyond an estimated 512 MiB of heap (real files need a few MB).</li>
 * </ul>
 * Every failure is a {@link GgufFormatException} with the file offset; nothing else escapes for bad input.
 *
 * <p>Instances are immutable and safe to share between threads (the mapping uses a shared arena).
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final GgufParser.Result parsed;
    private final Map<String, TensorInfo> byName;

    private GgufFile(Path path, Arena arena, MemorySegment segment, GgufParser.Result parsed) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.parsed = parsed;
        Map<String, TensorInfo> m = new HashMap<>(parsed.tensors().size() * 2);
        for (TensorInfo t : parsed.tensors()) m.put(t.name(), t);
        this.byName = m;
    }

    /**
     * Maps and parses a file.
     *
     * @throws GgufFormatException when the file is not a valid GGUF file
     * @throws IOException when it cannot be read
     */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new GgufFile(path, arena, seg, GgufParser.parse(seg, null));
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses a GGUF image already in memory (no file, no copy). The segment must stay valid while tensor
     * data is used; {@link #close()} does not release it.
     */
    public static GgufFile parse(MemorySegment image) throws GgufFormatException {
        return new GgufFile(null, null, image, GgufParser.parse(image, null));
    }

    /** As {@link #parse(MemorySegment)}, reporting every field offset to {@code listener} (tests). */
    static GgufFile parse(MemorySegment image, GgufParser.FieldListener listener) throws GgufFormatException {
        return new GgufFile(null, null, image, GgufParser.parse(image, listener));
    }

    /** The file path, or {@code null} for an in-memory image. */
    public Path path() { return path; }

    /** The GGUF version (2 or 3). */
    public int version() { return parsed.version(); }

    /** The metadata, in file order. */
    public GgufMetadata metadata() { return parsed.metadata(); }

    /** The tensor infos, in file order. */
    public List<TensorInfo> tensors() { return parsed.tensors(); }

    /** The tensor with this name, if any. */
    public Optional<TensorInfo> findTensor(String name) { return Optional.ofNullable(byName.get(name)); }

    /** The tensor with this name; {@link GgufFormatException} when the file has none. */
    public TensorInfo tensor(String name) throws GgufFormatException {
        TensorInfo t = byName.get(name);
        if (t == null) throw new GgufFormatException("tensor '" + name + "' not found");
        return t;
    }

    /** The data alignment ({@code general.alignment} or 32). */
    public int alignment() { return parsed.alignment(); }

    /** File offset right after the last tensor info (before the padding to the data section). */
    public long tensorInfoEnd() { return parsed.infoEnd(); }

    /**
     * File offset of the data section: the end of the tensor infos aligned up. For a file with zero tensors
     * written without trailing padding (gguf-py) this can exceed {@link #size()}.
     */
    public long dataOffset() { return parsed.dataOffset(); }

    /** File size in bytes. */
    public long size() { return segment.byteSize(); }

    /** True when a zero-tensor file carries the padding after its metadata (ggml's writer), or has tensors. */
    public boolean paddedAfterInfos() { return size() >= dataOffset(); }

    /** The whole file image. */
    public MemorySegment segment() { return segment; }

    /** The bytes of a tensor of this file: a zero-copy, read-only slice of the mapping. */
    public MemorySegment tensorData(TensorInfo tensor) {
        TensorInfo own = byName.get(tensor.name());
        if (!tensor.equals(own)) throw new IllegalArgumentException("tensor " + tensor + " is not from this file");
        return segment.asSlice(dataOffset() + tensor.offset(), tensor.byteSize()).asReadOnly();
    }

    /** Unmaps the file (tensor data slices become unusable). Idempotent. */
    @Override
    public synchronized void close() {
        if (arena != null && arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return "GgufFile[" + (path == null ? "memory" : path) + ", v" + version() + ", " + tensors().size()
                + " tensors, " + metadata().size() + " kv]";
    }
}
