package io.mbllm.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Streams a GGUF file: metadata, alignment and tensor infos are fixed up front; the tensor bytes are then
 * written in tensor order, in as many chunks per tensor as the caller likes. Memory use is flat (one 1 MiB
 * buffer) whatever the model size.
 *
 * <pre>{@code
 * try (GgufWriter w = GgufWriter.builder().metadata(meta).addTensor(info).open(target)) {
 *     w.write(bytes);          // the tensor's bytes, one or more chunks
 *     w.finish();              // pads, flushes, renames the temporary file onto target
 * }                            // closed without finish(): the temporary file is deleted
 * }</pre>
 *
 * <p>Layout, as ggml's {@code gguf_write_to_file} does it: header, KVs in metadata order, tensor infos in
 * the given order with offsets assigned back to back ({@code offset(i+1) = offset(i) + align_up(nbytes(i))}),
 * zero padding up to the data section, each tensor's bytes followed by zero padding to the alignment. The
 * alignment is {@code general.alignment} of the metadata (UINT32, a power of two) or 32. Each tensor is
 * written with the {@code n_dims} of its {@link TensorInfo} shape (use {@link TensorInfo#withGgmlNDims()} for
 * ggml's choice). Enum fields are written as 32-bit values, bools as 0/1.
 *
 * <p>The file is written to a temporary file in the target folder and atomically renamed on
 * {@link #finish()}; on failure, on {@link #close()} before finish, and on JVM shutdown (Ctrl-C) it is
 * deleted, so nothing partial is left behind.
 */
public final class GgufWriter implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;
    private static final long DIRECT_WRITE_SLICE = 1L << 30;
    private static final byte[] ZEROS = new byte[4096];

    private final Sink sink;
    private final WritableByteChannel out;
    private final ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment bufSegment = MemorySegment.ofArray(buf.array());
    private final List<TensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;
    private final boolean padWhenEmpty;
    private long position;
    private int current;
    private long writtenInCurrent;
    private State state = State.OPEN;

    private enum State { OPEN, FAILED, FINISHED, CLOSED }

    private GgufWriter(Sink sink, Builder b) throws IOException {
        this.sink = sink;
        this.out = b.digest == null ? sink.channel() : new DigestChannel(sink.channel(), b.digest);
        this.padWhenEmpty = b.padWhenEmpty;
        this.alignment = alignmentOf(b.metadata);
        List<TensorInfo> laidOut = new ArrayList<>(b.tensors.size());
        long off = 0;
        for (TensorInfo t : b.tensors) {
            laidOut.add(t.withOffset(off));
            off = Math.addExact(off, GgufParser.alignUp(t.byteSize(), alignment));
        }
        this.tensors = List.copyOf(laidOut);
        try {
            writeHeader(b);
            long infoEnd = position;
            this.dataOffset = GgufParser.alignUp(infoEnd, alignment);
            if (!tensors.isEmpty() || padWhenEmpty) padTo(dataOffset);
            skipEmptyTensors();
        } catch (IOException | RuntimeException e) {
            state = State.FAILED;
            sink.abort();
            throw e;
        }
    }

    /** A new builder. */
    public static Builder builder() { return new Builder(); }

    /** The tensors with the offsets this writer assigned, in write order. */
    public List<TensorInfo> tensors() { return tensors; }

    /** The alignment in use. */
    public int alignment() { return alignment; }

    /** File offset of the data section. */
    public long dataOffset() { return dataOffset; }

    /** The tensor whose bytes come next, or {@code null} when all tensors are complete. */
    public TensorInfo currentTensor() { return current < tensors.size() ? tensors.get(current) : null; }

    /** Bytes still expected for the current tensor (0 when all are complete). */
    public long remainingInCurrent() {
        return current < tensors.size() ? tensors.get(current).byteSize() - writtenInCurrent : 0;
    }

    // ---------------------------------------------------------------- streaming tensor bytes

    /**
     * Writes the next bytes of the current tensor. A chunk must not run past the end of the current tensor
     * ({@link IllegalStateException}); padding follows automatically when a tensor is complete.
     */
    public void write(MemorySegment chunk) throws IOException {
        long n = chunk.byteSize();
        checkRoom(n);
        try {
            if (n <= buf.remaining()) {
                MemorySegment.copy(chunk, 0, bufSegment, buf.position(), n);
                buf.position(buf.position() + (int) n);
            } else {
                flush();
                for (long p = 0; p < n; p += DIRECT_WRITE_SLICE) {
                    ByteBuffer bb = chunk.asSlice(p, Math.min(DIRECT_WRITE_SLICE, n - p)).asByteBuffer();
                    while (bb.hasRemaining()) out.write(bb);
                }
            }
            position += n;
            writtenInCurrent += n;
            skipEmptyTensors();
        } catch (IOException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    /** Writes {@code len} bytes of {@code bytes} from {@code off} (see {@link #write(MemorySegment)}). */
    public void write(byte[] bytes, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, bytes.length);
        write(MemorySegment.ofArray(bytes).asSlice(off, len));
    }

    /** Writes all of {@code bytes} (see {@link #write(MemorySegment)}). */
    public void write(byte[] bytes) throws IOException { write(bytes, 0, bytes.length); }

    /** Writes the remaining bytes of {@code buffer} and advances its position to its limit. */
    public void write(ByteBuffer buffer) throws IOException {
        write(MemorySegment.ofBuffer(buffer));
        buffer.position(buffer.limit());
    }

    /**
     * Completes the file: checks every tensor got all its bytes, flushes, and moves the temporary file onto
     * the target. {@link IllegalStateException} when tensor bytes are missing.
     */
    public void finish() throws IOException {
        ensureOpen();
        if (current < tensors.size()) {
            TensorInfo t = tensors.get(current);
            throw new IllegalStateException("tensor '" + t.name() + "' got " + writtenInCurrent + " of "
                    + t.byteSize() + " bytes; " + (tensors.size() - current) + " tensor(s) incomplete");
        }
        try {
            flush();
            sink.commit();
            state = State.FINISHED;
        } catch (IOException | RuntimeException e) {
            fail();
            throw e;
        }
    }

    /** Without a prior {@link #finish()}: abandons the file and deletes the temporary file. Idempotent. */
    @Override
    public void close() throws IOException {
        if (state == State.OPEN || state == State.FAILED) sink.abort();
        state = State.CLOSED;
    }

    private void fail() throws IOException {
        state = State.FAILED;
        sink.abort();
    }

    private void ensureOpen() {
        if (state != State.OPEN) throw new IllegalStateException("writer is " + state.name().toLowerCase());
    }

    private void checkRoom(long n) {
        ensureOpen();
        if (n == 0) return;
        if (current >= tensors.size()) throw new IllegalStateException("all tensors are complete; " + n + " bytes too many");
        long left = remainingInCurrent();
        if (n > left) {
            throw new IllegalStateException("chunk of " + n + " bytes runs past the end of tensor '"
                    + tensors.get(current).name() + "' (" + left + " bytes left)");
        }
    }

    /** Pads and moves past every complete tensor. */
    private void skipEmptyTensors() throws IOException {
        while (current < tensors.size() && writtenInCurrent == tensors.get(current).byteSize()) {
            padTo(GgufParser.alignUp(position, alignment));
            current++;
            writtenInCurrent = 0;
        }
    }

    // ---------------------------------------------------------------- header

    private void writeHeader(Builder b) throws IOException {
        putU32(GgufParser.MAGIC);
        putU32(b.version);
        putU64(tensors.size());
        putU64(b.metadata.size());
        for (var e : b.metadata.asMap().entrySet()) {
            putString(e.getKey().getBytes(StandardCharsets.UTF_8));
            putU32(e.getValue().type().id());
            putValue(e.getValue());
        }
        for (TensorInfo t : tensors) {
            putString(t.name().getBytes(StandardCharsets.UTF_8));
            putU32(t.nDims());
            for (int d = 0; d < t.nDims(); d++) putU64(t.ne(d));
            putU32(t.type().id());
            putU64(t.offset());
        }
    }

    private void putValue(GgufValue v) throws IOException {
        switch (v) {
            case GgufValue.UInt8(int x) -> putU8(x);
            case GgufValue.Int8(byte x) -> putU8(x);
            case GgufValue.UInt16(int x) -> putU16(x);
            case GgufValue.Int16(short x) -> putU16(x);
            case GgufValue.UInt32(long x) -> putU32((int) x);
            case GgufValue.Int32(int x) -> putU32(x);
            case GgufValue.Float32(float x) -> putU32(Float.floatToRawIntBits(x));
            case GgufValue.Bool(boolean x) -> putU8(x ? 1 : 0);
            case GgufValue.UInt64(long x) -> putU64(x);
            case GgufValue.Int64(long x) -> putU64(x);
            case GgufValue.Float64(double x) -> putU64(Double.doubleToRawLongBits(x));
            case GgufValue.Str s -> putString(s.bytes());
            case GgufValue.Array a -> putArray(a);
        }
    }

    private void putArray(GgufValue.Array a) throws IOException {
        putU32(a.elementType().id());
        putU64(a.size());
        switch (a) {
            case GgufValue.NumericArray n -> putBytes(n.raw());
            case GgufValue.StringArray s -> {
                byte[] blob = s.blob();
                for (int i = 0; i < s.size(); i++) {
                    putU64(s.length(i));
                    putBytes(blob, s.start(i), s.length(i));
                }
            }
            case GgufValue.NestedArray nested -> {
                for (GgufValue.Array inner : nested.elements()) putArray(inner);
            }
        }
    }

    private void room(int n) throws IOException {
        if (buf.remaining() < n) flush();
    }

    private void putU8(int v) throws IOException { room(1); buf.put((byte) v); position += 1; }
    private void putU16(int v) throws IOException { room(2); buf.putShort((short) v); position += 2; }
    private void putU32(int v) throws IOException { room(4); buf.putInt(v); position += 4; }
    private void putU64(long v) throws IOException { room(8); buf.putLong(v); position += 8; }

    private void putString(byte[] b) throws IOException {
        putU64(b.length);
        putBytes(b);
    }

    private void putBytes(byte[] b) throws IOException { putBytes(b, 0, b.length); }

    private void putBytes(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (!buf.hasRemaining()) flush();
            int n = Math.min(len, buf.remaining());
            buf.put(b, off, n);
            off += n;
            len -= n;
            position += n;
        }
    }

    private void padTo(long target) throws IOException {
        while (position < target) {
            if (!buf.hasRemaining()) flush();
            int n = (int) Math.min(Math.min(target - position, buf.remaining()), ZEROS.length);
            buf.put(ZEROS, 0, n);
            position += n;
        }
    }

    private void flush() throws IOException {
        buf.flip();
        while (buf.hasRemaining()) out.write(buf);
        buf.clear();
    }

    // ---------------------------------------------------------------- validation

    private static int alignmentOf(GgufMetadata m) {
        GgufValue v = m.find(GgufMetadata.ALIGNMENT_KEY).orElse(null);
        if (v == null) return GgufParser.DEFAULT_ALIGNMENT;
        if (v instanceof GgufValue.UInt32(long a) && a != 0 && (a & (a - 1)) == 0 && a <= (1L << 30)) return (int) a;
        throw new IllegalArgumentException(GgufMetadata.ALIGNMENT_KEY + " must be a u32 power of two ≤ 2^30, got " + v);
    }

    private static void checkDepth(GgufValue v, int depth, String key) {
        if (v instanceof GgufValue.NestedArray n) {
            if (depth + 1 >= GgufParser.MAX_ARRAY_DEPTH) {
                throw new IllegalArgumentException("key '" + key + "': arrays nested deeper than " + GgufParser.MAX_ARRAY_DEPTH);
            }
            for (GgufValue inner : n.elements()) checkDepth(inner, depth + 1, key);
        }
    }

    // ---------------------------------------------------------------- builder

    /** Collects metadata and tensor infos; {@link #open(Path)} starts writing. */
    public static final class Builder {
        private GgufMetadata metadata = GgufMetadata.empty();
        private final List<TensorInfo> tensors = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private boolean padWhenEmpty = true;
        private int version = 3;
        private MessageDigest digest;

        private Builder() {}

        /**
         * Also feeds every byte of the file, in file order, to {@code digest} as it is written (e.g. a SHA-256
         * of the whole file without reading it back). Null: no digest (the default).
         */
        public Builder digest(MessageDigest digest) {
            this.digest = digest;
            return this;
        }

        /** The metadata, written in its order (it also decides the alignment). */
        public Builder metadata(GgufMetadata metadata) {
            this.metadata = Objects.requireNonNull(metadata);
            return this;
        }

        /** Appends a tensor (name, shape as stored, type; its offset is ignored: the writer assigns offsets). */
        public Builder addTensor(TensorInfo tensor) {
            byte[] name = tensor.name().getBytes(StandardCharsets.UTF_8);
            if (name.length > TensorInfo.MAX_NAME_BYTES) {
                throw new IllegalArgumentException("tensor name '" + tensor.name() + "' is longer than "
                        + TensorInfo.MAX_NAME_BYTES + " bytes");
            }
            if (!names.add(tensor.name())) throw new IllegalArgumentException("duplicate tensor '" + tensor.name() + "'");
            tensors.add(tensor);
            return this;
        }

        /** Appends a tensor of this type and shape ({@code ne}, ne0 first; its length is the n_dims written). */
        public Builder addTensor(String name, GgmlType type, long... ne) {
            return addTensor(TensorInfo.of(name, type, ne));
        }

        /** Appends several tensors in order. */
        public Builder addTensors(Collection<TensorInfo> all) {
            all.forEach(this::addTensor);
            return this;
        }

        /**
         * Whether a file with zero tensors ends with padding after the metadata (default true, as ggml's
         * writer; gguf-py writes none).
         */
        public Builder padWhenEmpty(boolean pad) {
            this.padWhenEmpty = pad;
            return this;
        }

        /** The version written in the header: 3 (default) or 2 (same layout). */
        public Builder version(int version) {
            if (version != 2 && version != 3) throw new IllegalArgumentException("GGUF version must be 2 or 3: " + version);
            this.version = version;
            return this;
        }

        private void validate() {
            alignmentOf(metadata);
            metadata.asMap().forEach((k, v) -> checkDepth(v, 0, k));
        }

        /** Creates the temporary file beside {@code target}, writes everything before the tensor data. */
        public GgufWriter open(Path target) throws IOException {
            validate();
            Path abs = target.toAbsolutePath();
            Sink sink = FileSink.create(abs);
            return new GgufWriter(sink, this);
        }

        /** Writes to a channel the caller owns (no temporary file, no rename; tests and in-memory use). */
        GgufWriter open(WritableByteChannel channel) throws IOException {
            validate();
            return new GgufWriter(new ChannelSink(channel), this);
        }
    }

    // ---------------------------------------------------------------- sinks

    private interface Sink {
        WritableByteChannel channel();
        void commit() throws IOException;
        void abort() throws IOException;
    }

    /** Passes writes through to {@code target} and feeds the bytes actually written to {@code digest}. */
    private record DigestChannel(WritableByteChannel target, MessageDigest digest) implements WritableByteChannel {
        @Override public int write(ByteBuffer src) throws IOException {
            ByteBuffer view = src.duplicate();
            int n = target.write(src);
            view.limit(view.position() + n);
            digest.update(view);
            return n;
        }
        @Override public boolean isOpen() { return target.isOpen(); }
        @Override public void close() throws IOException { target.close(); }
    }

    private record ChannelSink(WritableByteChannel channel) implements Sink {
        @Override public void commit() {}
        @Override public void abort() {}
    }

    /** A temporary file beside the target, renamed onto it on commit, deleted on abort or JVM exit. */
    private static final class FileSink implements Sink {
        private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();
        private static volatile boolean hookInstalled;

        private final Path target;
        private final Path temp;
        private final FileChannel channel;

        private FileSink(Path target, Path temp, FileChannel channel) {
            this.target = target;
            this.temp = temp;
            this.channel = channel;
        }

        static FileSink create(Path target) throws IOException {
            installHook();
            Path dir = target.getParent();
            Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".partial");
            PENDING.add(temp);
            try {
                // createTempFile makes the file 0600; a model file should be readable like any other (0644).
                if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
                    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
                }
                return new FileSink(target, temp, FileChannel.open(temp, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING));
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                PENDING.remove(temp);
                throw e;
            }
        }

        private static synchronized void installHook() {
            if (hookInstalled) return;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (Path p : PENDING) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // best effort at exit
                    }
                }
            }, "gguf-writer-cleanup"));
            hookInstalled = true;
        }

        @Override public WritableByteChannel channel() { return channel; }

        @Override public void commit() throws IOException {
            channel.force(false);
            channel.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            PENDING.remove(temp);
        }

        @Override public void abort() throws IOException {
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(temp);
                PENDING.remove(temp);
            }
        }
    }
}
