package io.mbllm.engine.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogitsBaseFileTest {
    @TempDir Path tmp;

    @Test
    void sizesFollowTheFormat() {
        // the README's arithmetic: 20 + 9·128·4 + 9·63·1032 and 20 + 19·64·4 + 19·31·1032
        LogitsBaseFile.Header h128 = new LogitsBaseFile.Header(128, 512, 9);
        assertEquals(63, h128.scoredPerChunk());
        assertEquals(516, h128.recordValues());
        assertEquals(589_772, h128.fileBytes());
        assertEquals(612_732, new LogitsBaseFile.Header(64, 512, 19).fileBytes());
        assertEquals(2 * 4 + 4, LogitsBaseFile.recordValues(7), "odd vocabularies pad to an even count");
        assertEquals(2, LogitsBaseFile.scoredPerChunk(5), "odd C: positions 2 .. 3");
        assertEquals(Long.MAX_VALUE, new LogitsBaseFile.Header(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE).fileBytes());
    }

    @Test
    void encodesAHandWorkedRow() {
        // logits 2, 0, -20, 1: max 2, lowest -20 is clamped to 2 - 16 = -14
        float[] z = {2f, 0f, -20f, 1f};
        short[] rec = new short[LogitsBaseFile.recordValues(4)];
        double nll = LogitsBaseFile.encode(z, 0, 4, 1, rec, 0);
        double lse = Math.log(1 + Math.exp(-2) + Math.exp(-22) + Math.exp(-1)); // log Σ exp(z - max)
        assertEquals(2 + lse - 0, nll, 1e-6);
        float scale = LogitsBaseFile.scale(rec, 0);
        assertEquals(16f / 65535f, scale, 0f);
        assertEquals((float) (-14 - 2 - lse), LogitsBaseFile.minLogProb(rec, 0), 1e-6f);
        assertEquals(65535, Short.toUnsignedInt(rec[4]), "the top logit gets the top code");
        assertEquals(Math.rint(14 / (16.0 / 65535)), Short.toUnsignedInt(rec[5]), 1.0);
        assertEquals(0, rec[6], "clamped");
        assertEquals(-lse, LogitsBaseFile.logProb(rec, 0, 0), 1e-5);
        assertEquals(-16 - lse, LogitsBaseFile.logProb(rec, 0, 2), 1e-5, "clamped log p = min_log_prob");
    }

    @Test
    void decodedLogProbsAreWithinHalfAStep() {
        SplittableRandom rnd = new SplittableRandom(7);
        int n = 301; // odd: one padding value
        float[] z = new float[n + 3];
        short[] rec = new short[LogitsBaseFile.recordValues(n) + 2];
        Arrays.fill(rec, (short) -1);
        for (int trial = 0; trial < 50; trial++) {
            for (int i = 0; i < z.length; i++) z[i] = (float) (rnd.nextGaussian() * (1 + trial % 7));
            LogitsBaseFile.encode(z, 3, n, 0, rec, 2);
            assertEquals(0, rec[2 + LogitsBaseFile.recordValues(n) - 1], "padding is zero");
            float m = LogProbs.max(z, 3, n);
            double lse = m + Math.log(LogProbs.sumExp(z, 3, n, m));
            float scale = LogitsBaseFile.scale(rec, 2);
            for (int i = 0; i < n; i++) {
                double exact = z[3 + i] - lse;
                double got = LogitsBaseFile.logProb(rec, 2, i);
                if (z[3 + i] - m > -16) {
                    assertEquals(exact, got, scale * 0.5 + 1e-5, "token " + i);
                } else {
                    assertEquals(LogitsBaseFile.minLogProb(rec, 2), got, 0f);
                    assertTrue(got >= exact);
                }
            }
        }
    }

    @Test
    void constantLogitsGiveZeroScale() {
        float[] z = new float[10];
        Arrays.fill(z, 3f);
        short[] rec = new short[LogitsBaseFile.recordValues(10)];
        Arrays.fill(rec, (short) 5);
        LogitsBaseFile.encode(z, 0, 10, 4, rec, 0);
        assertEquals(0f, LogitsBaseFile.scale(rec, 0));
        for (int i = 0; i < 10; i++) assertEquals(-Math.log(10), LogitsBaseFile.logProb(rec, 0, i), 1e-6);
    }

    private Path writeFile(LogitsBaseFile.Header h, int[] tokens, long seed) throws IOException {
        Path p = tmp.resolve("base-" + seed + ".bin");
        SplittableRandom rnd = new SplittableRandom(seed);
        int rv = h.recordValues();
        short[] recs = new short[h.scoredPerChunk() * rv];
        float[] z = new float[h.vocabSize()];
        try (LogitsBaseFile.Writer w = LogitsBaseFile.create(p, h, tokens)) {
            for (int c = 0; c < h.chunks(); c++) {
                for (int i = 0; i < h.scoredPerChunk(); i++) {
                    for (int t = 0; t < z.length; t++) z[t] = (float) rnd.nextGaussian();
                    LogitsBaseFile.encode(z, 0, z.length, 0, recs, i * rv);
                }
                w.write(recs, h.scoredPerChunk());
            }
            w.finish();
        }
        return p;
    }

    @Test
    void writerAndReaderRoundTrip() throws IOException {
        LogitsBaseFile.Header h = new LogitsBaseFile.Header(8, 5, 3);
        int[] tokens = new int[30]; // more than stored: only chunks·C go into the file
        for (int i = 0; i < tokens.length; i++) tokens[i] = i % 5;
        Path p = writeFile(h, tokens, 1);
        byte[] bytes = Files.readAllBytes(p);
        assertEquals(h.fileBytes(), bytes.length);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("_logits_", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(8, b.getInt(8));
        assertEquals(5, b.getInt(12));
        assertEquals(3, b.getInt(16));
        assertEquals(23 % 5, b.getInt(20 + 4 * 23), "token 23");
        try (LogitsBaseFile.Reader r = LogitsBaseFile.open(p)) {
            assertEquals(h, r.header());
            assertArrayEquals(Arrays.copyOf(tokens, 24), r.tokens());
            short[] recs = new short[h.scoredPerChunk() * h.recordValues()];
            r.readChunk(2, recs);
            long at = 20 + 4 * 24 + 2L * h.recordValues() * h.scoredPerChunk() * 2;
            for (int i = 0; i < recs.length; i++) assertEquals(b.getShort((int) (at + 2 * i)), recs[i]);
            assertThrows(IndexOutOfBoundsException.class, () -> r.readChunk(3, recs));
        }
        assertFalse(Files.exists(tmp.resolve("base-1.bin.part")));
    }

    @Test
    void unfinishedWriterLeavesNoFile() throws IOException {
        Path p = tmp.resolve("x.bin");
        LogitsBaseFile.Header h = new LogitsBaseFile.Header(4, 3, 1);
        try (LogitsBaseFile.Writer w = LogitsBaseFile.create(p, h, new int[] {0, 1, 2, 0})) {
            assertThrows(IllegalStateException.class, w::finish, "no records written");
        }
        assertFalse(Files.exists(p));
        assertFalse(Files.exists(tmp.resolve("x.bin.part")));
        assertThrows(IllegalArgumentException.class, () -> LogitsBaseFile.create(p, h, new int[3]));
    }

    @Test
    void malformedFilesAreRefusedWithAReason() throws IOException {
        LogitsBaseFile.Header h = new LogitsBaseFile.Header(8, 5, 2);
        int[] tokens = {1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1};
        byte[] good = Files.readAllBytes(writeFile(h, tokens, 2));

        assertRefused(Arrays.copyOf(good, 10), "too short");
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertRefused(magic, "_logits_");
        assertRefused(Arrays.copyOf(good, good.length - 1), "truncated");
        assertRefused(Arrays.copyOf(good, good.length + 2), "trailing");
        byte[] badToken = good.clone();
        ByteBuffer.wrap(badToken).order(ByteOrder.LITTLE_ENDIAN).putInt(20 + 4 * 5, 5);
        assertRefused(badToken, "token 5 is 5");
        byte[] hugeChunks = good.clone();
        ByteBuffer.wrap(hugeChunks).order(ByteOrder.LITTLE_ENDIAN).putInt(16, Integer.MAX_VALUE);
        assertRefused(hugeChunks, "truncated");
        byte[] hugeCtx = good.clone();
        ByteBuffer.wrap(hugeCtx).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
        assertRefused(hugeCtx, "impossible header");
        byte[] zeroVocab = good.clone();
        ByteBuffer.wrap(zeroVocab).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 0);
        assertRefused(zeroVocab, "impossible header");
        assertThrows(java.nio.file.NoSuchFileException.class, () -> LogitsBaseFile.open(tmp.resolve("missing.bin")));
    }

    private void assertRefused(byte[] content, String reason) throws IOException {
        Path p = Files.write(tmp.resolve("bad.bin"), content);
        LogitsFileException e = assertThrows(LogitsFileException.class, () -> LogitsBaseFile.open(p).close());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
