package io.mbllm.gguf.mix;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An importance matrix (llama-imatrix output): per weight tensor, the mean squared activation of every input
 * column, handed to the quantizers as importance weights ({@code shared/docs/quantization.md} §7).
 *
 * <p>Both file formats load to the same values: the GGUF format ({@code general.type = imatrix},
 * {@code <name>.in_sum2} / {@code <name>.counts} tensors) and the legacy {@code .dat} format. The vector of a
 * tensor has {@code ne0 * n_mat} floats (n_mat = number of experts, 1 for dense weights).
 */
public final class Imatrix {
    /** The file format an imatrix was read from. */
    public enum Format { GGUF, LEGACY }

    private static final long MAX_LEGACY_BYTES = Integer.MAX_VALUE - 8;

    private final Format format;
    private final Map<String, float[]> entries;
    private final List<String> datasets;
    private final int chunkCount;
    private final int chunkSize;

    Imatrix(Format format, Map<String, float[]> entries, List<String> datasets, int chunkCount, int chunkSize) {
        this.format = format;
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.datasets = List.copyOf(datasets);
        this.chunkCount = chunkCount;
        this.chunkSize = chunkSize;
    }

    /**
     * Loads an imatrix file: GGUF when it starts with the GGUF magic, the legacy format otherwise.
     *
     * @throws ImatrixException when the file is malformed or lacks what llama-quantize requires
     */
    public static Imatrix load(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(4);
            while (magic.hasRemaining() && ch.read(magic) >= 0) { /* fill */ }
            if (magic.position() == 4 && new String(magic.array(), StandardCharsets.ISO_8859_1).equals("GGUF")) {
                return ImatrixGguf.read(path);
            }
            long size = ch.size();
            if (size > MAX_LEGACY_BYTES) throw new ImatrixException(path + ": legacy imatrix file too large (" + size + " bytes)");
            ByteBuffer all = ByteBuffer.allocate((int) size);
            ch.position(0);
            while (all.hasRemaining() && ch.read(all) >= 0) { /* fill */ }
            all.flip();
            return readLegacy(all, path.toString());
        } catch (NoSuchFileException e) {
            throw new ImatrixException("imatrix file not found: " + path, e);
        }
    }

    /**
     * Parses the legacy {@code .dat} format: int32 entry count; per entry int32 name length, name bytes, int32
     * ncall, int32 nval, nval float32 (stored as mean times ncall, so divided by ncall here when positive);
     * optionally int32 chunk count, int32 length and the dataset name.
     */
    static Imatrix readLegacy(ByteBuffer buf, String source) throws ImatrixException {
        buf.order(ByteOrder.LITTLE_ENDIAN);
        int nEntries = readInt(buf, source, "entry count");
        if (nEntries < 1) throw new ImatrixException(source + ": no data in imatrix file (entry count " + nEntries + ")");
        Map<String, float[]> entries = new LinkedHashMap<>();
        for (int e = 0; e < nEntries; e++) {
            int len = readInt(buf, source, "name length of entry " + e);
            if (len < 0 || len > buf.remaining()) throw new ImatrixException(source + ": bad name length " + len + " for entry " + e);
            byte[] nameBytes = new byte[len];
            buf.get(nameBytes);
            int nul = 0;
            while (nul < len && nameBytes[nul] != 0) nul++;
            String name = new String(nameBytes, 0, nul, StandardCharsets.UTF_8);
            int ncall = readInt(buf, source, "call count of " + name);
            int nval = readInt(buf, source, "value count of " + name);
            if (nval < 1 || (long) nval * 4 > buf.remaining()) {
                throw new ImatrixException(source + ": failed reading " + nval + " values for entry " + name);
            }
            float[] v = new float[nval];
            for (int i = 0; i < nval; i++) v[i] = buf.getFloat();
            if (ncall > 0) {
                for (int i = 0; i < nval; i++) v[i] = v[i] / ncall;
            }
            entries.put(name, v);
        }
        int chunks = 0;
        List<String> datasets = List.of();
        if (buf.hasRemaining()) {
            chunks = readInt(buf, source, "chunk count");
            int dlen = readInt(buf, source, "dataset name length");
            if (dlen < 0 || dlen > buf.remaining()) throw new ImatrixException(source + ": bad dataset name length " + dlen);
            byte[] d = new byte[dlen];
            buf.get(d);
            datasets = List.of(new String(d, StandardCharsets.UTF_8));
        }
        return new Imatrix(Format.LEGACY, entries, datasets, chunks, 0);
    }

    private static int readInt(ByteBuffer buf, String source, String what) throws ImatrixException {
        if (buf.remaining() < 4) throw new ImatrixException(source + ": truncated imatrix file while reading " + what);
        return buf.getInt();
    }

    /** The format this imatrix was read from. */
    public Format format() { return format; }

    /** Number of entries ({@code quantize.imatrix.entries_count}). */
    public int size() { return entries.size(); }

    /** The tensor names that have an entry, in file order. */
    public Set<String> names() { return entries.keySet(); }

    /** True when the tensor has an entry. */
    public boolean has(String tensorName) { return entries.containsKey(tensorName); }

    /** A copy of the importance vector of a tensor, or {@code null} when it has none. */
    public float[] vector(String tensorName) {
        float[] v = entries.get(tensorName);
        return v == null ? null : v.clone();
    }

    /** Length of a tensor's vector, or −1 when it has none. */
    public int length(String tensorName) {
        float[] v = entries.get(tensorName);
        return v == null ? -1 : v.length;
    }

    /** Dataset names (GGUF: {@code imatrix.datasets}; legacy: the trailing name, if any). */
    public List<String> datasets() { return datasets; }

    /** Number of chunks the statistics were collected over (0 when unknown). */
    public int chunkCount() { return chunkCount; }

    /** Tokens per chunk (GGUF {@code imatrix.chunk_size}; 0 for legacy files). */
    public int chunkSize() { return chunkSize; }
}
