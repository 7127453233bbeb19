package io.mbllm.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.mbllm.testkit.SharedData;

/**
 * Mutation fuzzing of the reader: from a few valid seed files, thousands of corrupted images (bit flips,
 * boundary-value overwrites of length/count/offset fields, truncation at every field, insertions, deletions).
 * Only {@link GgufFormatException} may escape; every parse must be quick; heap must stay bounded; and every
 * image the reader accepts must survive a write/re-read through {@link GgufWriter}.
 *
 * <p>Seed and case count: {@code -Dgguf.fuzz.seed=…}, {@code -Dgguf.fuzz.cases=…} (the seed is printed).
 */
class GgufFuzzTest {
    private static final long SEED = Long.getLong("gguf.fuzz.seed", 0x6767_7566_5EEDL);
    private static final int CASES = Integer.getInteger("gguf.fuzz.cases", 16_000);
    private static final long MAX_PARSE_NANOS = 2_000_000_000L;

    private static final long[] BOUNDARY = {
            0, 1, 2, 3, 4, 7, 8, 12, 13, 31, 32, 33, 63, 64, 65, 255, 256, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFFL,
            0x8000_0000L, 0xFFFF_FFFFL, 1L << 30, 1L << 32, 1L << 40, 1L << 60, 1L << 62, Long.MAX_VALUE,
            Long.MIN_VALUE, -1L, -2L, -32L};

    /** One seed image and the offsets of every field the parser reads in it. */
    private record Seed(String name, byte[] bytes, long[] fields, long metaEnd) {}

    private static Seed seed(String name, byte[] bytes) throws GgufFormatException {
        TreeSet<Long> fields = new TreeSet<>();
        GgufFile f = GgufFile.parse(MemorySegment.ofArray(bytes), fields::add);
        return new Seed(name, bytes, fields.stream().mapToLong(Long::longValue).toArray(), f.dataOffset());
    }

    private static List<Seed> seeds() throws IOException {
        List<Seed> seeds = new ArrayList<>();
        seeds.add(seed("synthetic", SyntheticGguf.image(64)));
        seeds.add(seed("stories260K", Files.readAllBytes(SharedData.require("models/stories260K.gguf"))));
        seeds.add(seed("vocab-llama-spm", Files.readAllBytes(SharedData.require("testdata/tokenizer/ggml-vocab-llama-spm.gguf"))));
        seeds.add(seed("lora-q8_0", Files.readAllBytes(SharedData.require("testdata/lora-oracle/stories260K-lora-a.q8_0.gguf"))));
        return seeds;
    }

    @Test
    void onlyGgufFormatExceptionEscapes() throws IOException {
        System.out.println("GgufFuzzTest seed=0x" + Long.toHexString(SEED) + " cases=" + CASES
                + " (rerun with -Dgguf.fuzz.seed=" + SEED + ")");
        List<Seed> seeds = seeds();
        Stats stats = new Stats();
        long start = System.nanoTime();

        // 1. truncation at every field of the small seeds, and at field starts of the large ones (sampled)
        int caseNo = 0;
        for (Seed s : seeds) {
            int step = Math.max(1, s.fields.length / 1500);
            for (int i = 0; i < s.fields.length; i += step) {
                for (long d = -1; d <= 1; d++) {
                    long len = s.fields[i] + d;
                    if (len < 0 || len >= s.bytes.length) continue;
                    run(stats, caseNo++, s, "truncate@" + len, Arrays.copyOf(s.bytes, (int) len));
                }
            }
            // and inside the data section: only whole-file-size truncations are interesting there
            run(stats, caseNo++, s, "truncate@end-1", Arrays.copyOf(s.bytes, s.bytes.length - 1));
        }
        int truncations = caseNo;

        // 2. random mutations, round-robin over the seeds
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (int c = 0; c < CASES; c++, caseNo++) {
            Seed s = seeds.get(c % seeds.size());
            StringBuilder what = new StringBuilder();
            byte[] img = s.bytes;
            int rounds = rnd.nextInt(8) == 0 ? 2 : 1;
            for (int r = 0; r < rounds; r++) img = mutate(rnd, s, img, what);
            run(stats, caseNo, s, what.toString(), img);
        }
        long ms = (System.nanoTime() - start) / 1_000_000;

        System.gc();
        Runtime rt = Runtime.getRuntime();
        long usedMb = (rt.totalMemory() - rt.freeMemory()) >> 20;
        System.out.printf("GgufFuzzTest: %d cases (%d truncations) in %d ms: %d accepted (%d re-written), %d rejected;"
                        + " slowest parse %.1f ms; heap after run %d MB%n", caseNo, truncations, ms, stats.accepted,
                stats.rewritten, stats.rejected, stats.maxNanos / 1e6, usedMb);
        assertTrue(caseNo >= 10_000, "at least 10,000 mutated files");
        assertTrue(stats.rejected > caseNo / 2, "most mutations must be caught: " + stats.rejected);
        assertTrue(stats.accepted > 100, "some mutations stay valid (e.g. in string bytes): " + stats.accepted);
        assertTrue(usedMb < 256, "heap after the run: " + usedMb + " MB");
    }

    private static final class Stats {
        int accepted, rejected, rewritten;
        long maxNanos;
    }

    private static void run(Stats stats, int caseNo, Seed seed, String what, byte[] image) {
        long t0 = System.nanoTime();
        try {
            GgufFile f = GgufFile.parse(MemorySegment.ofArray(image));
            exercise(f);
            if (stats.accepted++ % 20 == 0) {
                rewriteRoundTrip(f);
                stats.rewritten++;
            }
        } catch (GgufFormatException expected) {
            stats.rejected++;
            if (expected.offset() < -1 || expected.offset() > image.length) {
                fail(label(caseNo, seed, what) + ": offset " + expected.offset() + " outside the file");
            }
        } catch (Throwable t) {
            fail(label(caseNo, seed, what) + ": " + t, t);
        }
        long dt = System.nanoTime() - t0;
        stats.maxNanos = Math.max(stats.maxNanos, dt);
        if (dt > MAX_PARSE_NANOS) fail(label(caseNo, seed, what) + ": took " + dt / 1_000_000 + " ms");
    }

    private static String label(int caseNo, Seed seed, String what) {
        return "fuzz seed=" + SEED + " case=" + caseNo + " file=" + seed.name + " mutation=" + what;
    }

    /** Touches everything a consumer would: values, tensor slices, typed getters. */
    private static void exercise(GgufFile f) {
        for (var e : f.metadata().asMap().entrySet()) {
            if (e.getValue() instanceof GgufValue.StringArray a && a.size() > 0) a.get(a.size() - 1);
            e.getValue().toString();
            try {
                f.metadata().getInt(e.getKey());
            } catch (GgufFormatException ignored) {
                // wrong type is an expected, typed outcome
            }
        }
        for (TensorInfo t : f.tensors()) {
            MemorySegment d = f.tensorData(t);
            if (d.byteSize() > 0) d.get(ValueLayout.JAVA_BYTE, d.byteSize() - 1);
        }
    }

    /** Whatever the reader accepts, the writer can write and the reader reads back equal. */
    private static void rewriteRoundTrip(GgufFile f) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GgufWriter w = GgufWriter.builder().metadata(f.metadata()).addTensors(f.tensors()).version(f.version())
                .open(Channels.newChannel(bos))) {
            for (TensorInfo t : f.tensors()) w.write(f.tensorData(t));
            w.finish();
        }
        GgufFile back = GgufFile.parse(MemorySegment.ofArray(bos.toByteArray()));
        assertEquals(f.metadata(), back.metadata());
        assertEquals(f.tensors().stream().map(TensorInfo::name).toList(), back.tensors().stream().map(TensorInfo::name).toList());
        for (int i = 0; i < f.tensors().size(); i++) {
            assertEquals(-1L, f.tensorData(f.tensors().get(i)).mismatch(back.tensorData(back.tensors().get(i))));
        }
    }

    // ---------------------------------------------------------------- mutations

    private static long field(SplittableRandom rnd, Seed s) {
        return s.fields[rnd.nextInt(s.fields.length)];
    }

    /** A position mostly in the metadata region (the data section is opaque to the parser). */
    private static int position(SplittableRandom rnd, Seed s, byte[] img) {
        long limit = rnd.nextInt(10) == 0 ? img.length : Math.min(img.length, s.metaEnd + 64);
        return (int) rnd.nextLong(Math.max(1, limit));
    }

    private static byte[] mutate(SplittableRandom rnd, Seed s, byte[] in, StringBuilder what) {
        byte[] img = in.clone();
        int kind = rnd.nextInt(7);
        switch (kind) {
            case 0 -> { // bit flips
                int n = 1 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    int p = position(rnd, s, img);
                    int bit = rnd.nextInt(8);
                    if (p < img.length) img[p] ^= (byte) (1 << bit);
                    what.append("flip@").append(p).append('.').append(bit).append(' ');
                }
            }
            case 1, 2 -> { // boundary value over a length/count/offset/type field
                long at = field(rnd, s);
                int width = new int[] {1, 2, 4, 8, 8, 8}[rnd.nextInt(6)];
                long v = BOUNDARY[rnd.nextInt(BOUNDARY.length)];
                if (rnd.nextInt(4) == 0) v = img.length + rnd.nextInt(-64, 64);
                for (int b = 0; b < width && at + b < img.length; b++) img[(int) (at + b)] = (byte) (v >>> (8 * b));
                what.append("set").append(width * 8).append('@').append(at).append('=').append(v).append(' ');
            }
            case 3 -> { // random bytes
                int p = position(rnd, s, img);
                int n = 1 + rnd.nextInt(8);
                for (int i = 0; i < n && p + i < img.length; i++) img[p + i] = (byte) rnd.nextInt(256);
                what.append("rand").append(n).append('@').append(p).append(' ');
            }
            case 4 -> { // insertion at a field
                int p = (int) Math.min(field(rnd, s), img.length);
                int n = 1 + rnd.nextInt(16);
                byte[] out = new byte[img.length + n];
                System.arraycopy(img, 0, out, 0, p);
                for (int i = 0; i < n; i++) out[p + i] = (byte) (rnd.nextBoolean() ? 0 : rnd.nextInt(256));
                System.arraycopy(img, p, out, p + n, img.length - p);
                what.append("insert").append(n).append('@').append(p).append(' ');
                return out;
            }
            case 5 -> { // deletion at a field
                int p = (int) Math.min(field(rnd, s), img.length);
                int n = Math.min(1 + rnd.nextInt(16), img.length - p);
                byte[] out = new byte[img.length - n];
                System.arraycopy(img, 0, out, 0, p);
                System.arraycopy(img, p + n, out, p, img.length - p - n);
                what.append("delete").append(n).append('@').append(p).append(' ');
                return out;
            }
            default -> { // truncation at a random position
                int len = position(rnd, s, img);
                what.append("truncate@").append(len).append(' ');
                return Arrays.copyOf(img, len);
            }
        }
        return img;
    }
}
