package io.mbllm.engine.eval;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The base file of llama-perplexity's KL-divergence mode ({@code --kl-divergence-base}), byte-compatible
 * with llama.cpp's. Little-endian: the 8 bytes {@code _logits_}, u32 context length C, i32 n_vocab, i32
 * n_chunks, then n_chunks·C i32 token ids (the text tokens, chunk starts not replaced by BOS), then for each
 * chunk and each of its {@code C − 1 − C/2} scored positions one record of {@link Header#recordValues()} u16:
 * two f32 ({@code scale}, {@code min_log_prob}) in the first four, then n_vocab 16-bit codes {@code q_i} with
 * {@code log p_i = scale·q_i + min_log_prob} (padding to an even count).
 *
 * <p>Encoding (perplexity.cpp, {@code log_softmax} with a {@code log_prob} output): m = max logit,
 * lo = max(min logit, m − 16), scale = (m − lo)/65535, min_log_prob = lo − m − log Σ exp(z − m),
 * q_i = round-half-even((z_i − lo)/scale) for z_i &gt; lo, else 0.
 */
public final class LogitsBaseFile {
    static final byte[] MAGIC = "_logits_".getBytes(StandardCharsets.US_ASCII);
    /** Bytes before the token ids. */
    static final int HEADER_BYTES = 20;
    /** Log-probabilities more than this below the top one are clamped. */
    static final float RANGE = 16f;

    private LogitsBaseFile() {}

    /**
     * The fixed part of a base file.
     *
     * @param contextLength C: tokens per chunk
     * @param vocabSize     n_vocab of the model that wrote it
     * @param chunks        number of chunks
     */
    public record Header(int contextLength, int vocabSize, int chunks) {
        public Header {
            if (contextLength < 4) throw new IllegalArgumentException("context length must be >= 4: " + contextLength);
            if (vocabSize < 1) throw new IllegalArgumentException("n_vocab must be >= 1: " + vocabSize);
            if (chunks < 0) throw new IllegalArgumentException("n_chunks must be >= 0: " + chunks);
        }

        /** Positions scored per chunk: {@code C − 1 − C/2} (positions C/2 … C − 2). */
        public int scoredPerChunk() {
            return LogitsBaseFile.scoredPerChunk(contextLength);
        }

        /** u16 values per record: {@code 2·⌈n_vocab/2⌉ + 4}. */
        public int recordValues() {
            return LogitsBaseFile.recordValues(vocabSize);
        }

        /** Token ids stored: {@code n_chunks · C}. */
        public long tokenCount() {
            return (long) chunks * contextLength;
        }

        /** Total size of a well-formed file with this header. */
        public long fileBytes() {
            try {
                long records = Math.multiplyExact(2L * recordValues() * scoredPerChunk(), (long) chunks);
                return Math.addExact(HEADER_BYTES + 4 * tokenCount(), records);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
    }

    /** Positions scored per chunk of {@code contextLength} tokens. */
    public static int scoredPerChunk(int contextLength) {
        return contextLength - 1 - contextLength / 2;
    }

    /** u16 values per record for a vocabulary of {@code vocabSize}. */
    public static int recordValues(int vocabSize) {
        return 2 * ((vocabSize + 1) / 2) + 4;
    }

    /**
     * Encodes the log-probabilities of one row of logits into {@code rec[recOff ..]} ({@link #recordValues}
     * values) and returns the NLL of {@code target} as the writer computes it.
     */
    public static double encode(float[] z, int off, int nVocab, int target, short[] rec, int recOff) {
        float m = z[off], lo = z[off];
        for (int i = 1; i < nVocab; i++) {
            m = Math.max(m, z[off + i]);
            lo = Math.min(lo, z[off + i]);
        }
        lo = Math.max(lo, m - RANGE);
        float logSumExp = LogProbs.logSumExpAboveMax(z, off, nVocab, m);
        float minLogProb = lo - m - logSumExp;
        float scale = (m - lo) / 65535f;
        putFloat(rec, recOff, scale);
        putFloat(rec, recOff + 2, minLogProb);
        int q0 = recOff + 4;
        if (scale != 0f) {
            float inv = 1 / scale;
            for (int i = 0; i < nVocab; i++) {
                float v = z[off + i];
                rec[q0 + i] = v > lo ? (short) (int) Math.rint(inv * (v - lo)) : 0;
            }
        } else {
            java.util.Arrays.fill(rec, q0, q0 + nVocab, (short) 0);
        }
        int padded = recordValues(nVocab) - 4;
        for (int i = nVocab; i < padded; i++) rec[q0 + i] = 0;
        return m + logSumExp - z[off + target];
    }

    /** The record's {@code scale}. */
    public static float scale(short[] rec, int recOff) {
        return getFloat(rec, recOff);
    }

    /** The record's {@code min_log_prob}. */
    public static float minLogProb(short[] rec, int recOff) {
        return getFloat(rec, recOff + 2);
    }

    /** The stored {@code log p_i} of token {@code i}: {@code scale·q_i + min_log_prob}. */
    public static float logProb(short[] rec, int recOff, int i) {
        return getFloat(rec, recOff) * Short.toUnsignedInt(rec[recOff + 4 + i]) + getFloat(rec, recOff + 2);
    }

    private static void putFloat(short[] rec, int at, float f) {
        int bits = Float.floatToRawIntBits(f);
        rec[at] = (short) bits;
        rec[at + 1] = (short) (bits >>> 16);
    }

    private static float getFloat(short[] rec, int at) {
        return Float.intBitsToFloat(Short.toUnsignedInt(rec[at]) | (Short.toUnsignedInt(rec[at + 1]) << 16));
    }

    /**
     * Starts a base file at {@code path}: writes the header and the first {@code chunks · C} of {@code tokens}
     * to a temporary file beside it, which {@link Writer#finish()} moves into place.
     */
    public static Writer create(Path path, Header header, int[] tokens) throws IOException {
        if (tokens.length < header.tokenCount()) {
            throw new IllegalArgumentException(tokens.length + " tokens, the header needs " + header.tokenCount());
        }
        return new Writer(path, header, tokens);
    }

    /** Maps and validates the base file at {@code path} (size, header and token ids). */
    public static Reader open(Path path) throws IOException {
        return new Reader(path);
    }

    /** Writes the records of a base file in order; {@link #finish()} completes it. */
    public static final class Writer implements AutoCloseable {
        private final Path path;
        private final Path tmp;
        private final Header header;
        private final FileChannel ch;
        private ByteBuffer buf = ByteBuffer.allocate(0);
        private long recordsWritten;
        private boolean finished;

        private Writer(Path path, Header header, int[] tokens) throws IOException {
            this.path = path;
            this.header = header;
            Path dir = path.toAbsolutePath().getParent();
            this.tmp = dir.resolve(path.getFileName() + ".part");
            this.ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            try {
                int n = Math.toIntExact(header.tokenCount());
                ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES + 4 * n).order(ByteOrder.LITTLE_ENDIAN);
                head.put(MAGIC).putInt(header.contextLength()).putInt(header.vocabSize()).putInt(header.chunks());
                for (int i = 0; i < n; i++) head.putInt(tokens[i]);
                writeFully(head.flip());
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        public Header header() {
            return header;
        }

        /** Appends {@code count} records from {@code recs[0 ..]}. */
        public void write(short[] recs, int count) throws IOException {
            int values = count * header.recordValues();
            if (buf.capacity() < 2 * values) buf = ByteBuffer.allocate(2 * values).order(ByteOrder.LITTLE_ENDIAN);
            buf.clear();
            buf.asShortBuffer().put(recs, 0, values);
            buf.limit(2 * values);
            writeFully(buf);
            recordsWritten += count;
        }

        private void writeFully(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) ch.write(b);
        }

        /** Checks that every record was written and moves the file into place. */
        public void finish() throws IOException {
            long want = (long) header.scoredPerChunk() * header.chunks();
            if (recordsWritten != want) {
                throw new IllegalStateException(recordsWritten + " records written, the header promises " + want);
            }
            ch.close();
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
            finished = true;
        }

        /** Closes; an unfinished file is deleted. */
        @Override
        public void close() throws IOException {
            if (ch.isOpen()) ch.close();
            if (!finished) Files.deleteIfExists(tmp);
        }
    }

    /** A mapped base file: the header, the tokens, and the records of each chunk. */
    public static final class Reader implements AutoCloseable {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        private final Arena arena;
        private final MemorySegment seg;
        private final Header header;
        private final int[] tokens;

        private Reader(Path path) throws IOException {
            Arena a = Arena.ofShared();
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size < HEADER_BYTES) throw new LogitsFileException(path + ": " + size + " bytes, too short for a base file header");
                this.seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, a);
                this.arena = a;
                for (int i = 0; i < MAGIC.length; i++) {
                    if (seg.get(ValueLayout.JAVA_BYTE, i) != MAGIC[i]) {
                        throw new LogitsFileException(path + " does not look like a file containing log-probabilities (no _logits_ magic)");
                    }
                }
                int ctx = seg.get(I32, 8), nVocab = seg.get(I32, 12), nChunks = seg.get(I32, 16);
                if (ctx < 4 || nVocab < 1 || nChunks < 1) {
                    throw new LogitsFileException(path + ": impossible header (n_ctx " + Integer.toUnsignedString(ctx)
                            + ", n_vocab " + nVocab + ", n_chunks " + nChunks + ")");
                }
                this.header = new Header(ctx, nVocab, nChunks);
                if (size != header.fileBytes()) {
                    throw new LogitsFileException(path + ": " + size + " bytes, but n_ctx " + ctx + ", n_vocab " + nVocab
                            + " and n_chunks " + nChunks + " make " + header.fileBytes()
                            + (size < header.fileBytes() ? " (truncated)" : " (trailing bytes)"));
                }
                this.tokens = new int[Math.toIntExact(header.tokenCount())];
                MemorySegment.copy(seg, I32, HEADER_BYTES, tokens, 0, tokens.length);
                for (int i = 0; i < tokens.length; i++) {
                    if (tokens[i] < 0 || tokens[i] >= nVocab) {
                        throw new LogitsFileException(path + ": token " + i + " is " + tokens[i] + ", outside [0, " + nVocab + ")");
                    }
                }
            } catch (NoSuchFileException e) {
                a.close();
                throw new NoSuchFileException(path + ": no such file");
            } catch (IOException | RuntimeException e) {
                a.close();
                throw e;
            }
        }

        public Header header() {
            return header;
        }

        /** The stored token ids (a copy). */
        public int[] tokens() {
            return tokens.clone();
        }

        /** The stored token ids; callers must not modify the array. */
        int[] tokensShared() {
            return tokens;
        }

        /** Copies the {@link Header#scoredPerChunk()} records of {@code chunk} into {@code dst[0 ..]}. */
        public void readChunk(int chunk, short[] dst) {
            if (chunk < 0 || chunk >= header.chunks()) throw new IndexOutOfBoundsException("chunk " + chunk + " of " + header.chunks());
            long perChunk = (long) header.scoredPerChunk() * header.recordValues();
            long at = HEADER_BYTES + 4 * header.tokenCount() + 2 * perChunk * chunk;
            MemorySegment.copy(seg, U16, at, dst, 0, Math.toIntExact(perChunk));
        }

        @Override
        public void close() {
            arena.close();
        }
    }
}
