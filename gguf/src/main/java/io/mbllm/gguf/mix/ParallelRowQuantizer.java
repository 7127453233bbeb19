package io.mbllm.gguf.mix;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.quant.QuantCodec;
import io.mbllm.gguf.quant.QuantTypes;

/**
 * Converts the rows of one tensor to another ggml type on a fixed pool of worker threads and writes the result
 * in row order. Rows are grouped into chunks of about {@code chunkElements} values; at most
 * {@code 2 * threads + 1} chunks are in flight, each with its own reusable output buffer, so memory stays bounded
 * whatever the tensor size. Workers decode source rows through the source type's codec and encode through the
 * target type's codec ({@link QuantTypes}); the chunk loop allocates nothing once the buffers have grown to the
 * largest chunk.
 */
final class ParallelRowQuantizer implements AutoCloseable {
    /** Default chunk size in elements (1 Mi values: 4 MiB of floats, 2 MiB of F16 input). */
    static final int DEFAULT_CHUNK_ELEMENTS = 1 << 20;

    private final ExecutorService pool;
    private final int chunkElements;
    private final Workspace[] workspaces;
    private final ArrayDeque<Workspace> free = new ArrayDeque<>();

    /** Reusable per-chunk buffers: a row of floats for decoding and the chunk's encoded bytes. */
    private static final class Workspace {
        float[] row = new float[0];
        byte[] out = new byte[0];
        int outLen;

        void ensure(int rowLen, long outBytes) {
            if (row.length < rowLen) row = new float[rowLen];
            if (out.length < outBytes) out = new byte[(int) outBytes];
        }
    }

    ParallelRowQuantizer(int threads, int chunkElements) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1: " + threads);
        if (chunkElements < 1) throw new IllegalArgumentException("chunk size must be positive: " + chunkElements);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mbllm-quantize-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.chunkElements = chunkElements;
        this.workspaces = new Workspace[2 * threads + 1];
        for (int i = 0; i < workspaces.length; i++) {
            workspaces[i] = new Workspace();
            free.add(workspaces[i]);
        }
    }

    /**
     * Converts {@code nRows} rows of {@code ne0} values.
     *
     * @param src         the source tensor's bytes (rows back to back in {@code srcType})
     * @param importance  importance weights, {@code null} or {@code ne0 * nMat} floats; row {@code r} uses slice
     *                    {@code r / rowsPerMat}
     * @param rowsPerMat  rows per importance slice ({@code ne1})
     * @param progress    called on the calling thread with the source bytes of each chunk once it is written
     */
    void convert(MemorySegment src, GgmlType srcType, GgmlType dstType, long ne0, long nRows, float[] importance,
                 long rowsPerMat, ChunkSink out, LongConsumer progress) throws IOException, InterruptedException {
        if (ne0 > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("row too long: " + ne0);
        QuantCodec decoder = QuantTypes.codec(srcType);
        QuantCodec encoder = QuantTypes.codec(dstType);
        int n = (int) ne0;
        long srcRowBytes = srcType.rowBytes(ne0);
        long dstRowBytes = dstType.rowBytes(ne0);
        long rowsPerChunk = Math.max(1, chunkElements / ne0);
        if (rowsPerChunk * dstRowBytes > Integer.MAX_VALUE - 16) rowsPerChunk = Math.max(1, (Integer.MAX_VALUE - 16) / dstRowBytes);
        ArrayDeque<Pending> pending = new ArrayDeque<>();
        boolean done = false;
        try {
            for (long r0 = 0; r0 < nRows; r0 += rowsPerChunk) {
                long first = r0;
                long count = Math.min(rowsPerChunk, nRows - r0);
                while (free.isEmpty()) flush(pending.poll(), out, progress);
                Workspace ws = free.poll();
                ws.ensure(n, count * dstRowBytes);
                Future<?> f = pool.submit(() -> {
                    int o = 0;
                    for (long r = first; r < first + count; r++) {
                        decoder.dequantizeRow(src, r * srcRowBytes, ws.row, 0, n);
                        int impOff = importance == null ? 0 : (int) ((r / rowsPerMat) * ne0);
                        encoder.quantizeRow(ws.row, 0, importance, impOff, n, ws.out, o);
                        o += (int) dstRowBytes;
                    }
                    ws.outLen = o;
                    return null;
                });
                pending.add(new Pending(f, ws, count * srcRowBytes));
            }
            while (!pending.isEmpty()) flush(pending.poll(), out, progress);
            done = true;
        } finally {
            if (!done) {
                // let the chunks already handed out finish (a few milliseconds each) so that no worker still
                // writes into a buffer once it is free again; their output is dropped
                for (Pending p : pending) awaitQuietly(p);
                pending.clear();
                free.clear();
                for (Workspace w : workspaces) free.add(w);
            }
        }
    }

    /** Receives encoded chunks in row order. */
    @FunctionalInterface
    interface ChunkSink {
        void write(byte[] bytes, int off, int len) throws IOException;
    }

    private record Pending(Future<?> future, Workspace ws, long srcBytes) {}

    private void flush(Pending p, ChunkSink out, LongConsumer progress) throws IOException, InterruptedException {
        try {
            p.future.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) throw re;
            if (c instanceof Error er) throw er;
            throw new IOException("quantization worker failed", c);
        }
        out.write(p.ws.out, 0, p.ws.outLen);
        free.add(p.ws);
        if (Thread.interrupted()) throw new InterruptedException("quantization cancelled");
        progress.accept(p.srcBytes);
    }

    private static void awaitQuietly(Pending p) {
        boolean interrupted = false;
        while (true) {
            try {
                p.future.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (Exception e) {
                break;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
