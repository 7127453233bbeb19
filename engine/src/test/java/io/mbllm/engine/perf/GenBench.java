package io.mbllm.engine.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.mbllm.engine.model.ContextOptions;
import io.mbllm.engine.model.InferenceContext;
import io.mbllm.engine.model.Model;
import io.mbllm.kernels.Parallel;

/**
 * End-to-end speed of the forward pass, measured like llama-bench (not a unit test): {@code pp} = a prompt of
 * {@code -Dpp} (64) random tokens evaluated from an empty cache, {@code tg} = {@code -Dtg} (32) single-token steps
 * from an empty cache; each test repeated {@code -Dreps} (3) times per round after a warm-up, t/s averaged as
 * llama-bench does. Prints t/s per round, the peak resident memory (VmHWM) and the budget
 * {@code file + KV cache + 300 MB}.
 *
 * <p>With {@code -Dllama.bench=/path/to/llama-bench} every round also runs llama-bench on the same file with the
 * same sizes and threads (one process per round, right after ours), and the summary gives the median of the
 * per-round ratios ours / llama.cpp: the machine is shared, so only interleaved ratios mean anything.
 *
 * <p>Run (after {@code mvn -B -q -o test-compile -pl engine -am}), from the repository root:
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
 *   -cp engine/target/test-classes:engine/target/classes:kernels/target/classes:gguf/target/classes \
 *   -Dthreads=2 -Drounds=5 -Dllama.bench=/work/ref/llama.cpp/build/bin/llama-bench \
 *   io.mbllm.engine.perf.GenBench ~/.cache/mbllm/oracle/llama-1b-Q4_K_M.gguf [more files...]
 * </pre>
 * Several files are measured one after the other (each in its own rounds). {@code -Dtests=pp} or {@code tg}
 * measures only one of the two. {@code -Ddepth=N} runs both tests after N cached tokens (prefilled before each
 * repetition, not timed; llama-bench {@code -d N}): how attention holds up as the context grows.
 *
 * <p>{@code -Dcpu=true} (with {@code -Dthreads=1}) measures tokens per CPU second instead of per wall second, for
 * machines too loaded for wall-clock figures: ours from the benchmark thread's CPU time, llama-bench's from
 * {@code /usr/bin/time} around three runs (prompt only, generation only, and a one-token prompt whose CPU time,
 * mostly loading, is subtracted), counting its warm-up run (the whole prompt, or one generated token).
 */
public final class GenBench {
    private static final long MB = 1_000_000L;

    private GenBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: GenBench MODEL.gguf [MODEL.gguf...]  (-Dthreads -Dpp -Dtg -Dreps -Drounds -Dllama.bench)");
            System.exit(2);
        }
        int threads = Integer.getInteger("threads", 2);
        int pp = Integer.getInteger("pp", 64);
        int tg = Integer.getInteger("tg", 32);
        depth = Integer.getInteger("depth", 0);
        int reps = Integer.getInteger("reps", 3);
        int rounds = Integer.getInteger("rounds", 3);
        String tests = System.getProperty("tests", "pp,tg");
        boolean doPp = tests.contains("pp"), doTg = tests.contains("tg");
        String llama = System.getProperty("llama.bench");
        cpu = Boolean.getBoolean("cpu");
        if (cpu && threads != 1) throw new IllegalArgumentException("-Dcpu=true needs -Dthreads=1");
        if (cpu && depth > 0) throw new IllegalArgumentException("-Ddepth is measured on the wall clock only (no -Dcpu=true)");
        try (Parallel parallel = new Parallel(threads)) {
            for (String file : args) {
                bench(Path.of(file), parallel, threads, pp, tg, reps, rounds, doPp, doTg, llama);
            }
        }
    }

    private static void bench(Path file, Parallel parallel, int threads, int pp, int tg, int reps, int rounds,
                              boolean doPp, boolean doTg, String llama) throws Exception {
        first(file);
        System.out.printf(Locale.ROOT, "== %s (%d threads, pp%d tg%d%s, %d reps x %d rounds%s)%n", file.getFileName(), threads,
                pp, tg, depth > 0 ? " at depth " + depth : "", reps, rounds, cpu ? ", tokens per CPU second" : "");
        try (Model model = Model.open(file);
             InferenceContext ctx = model.newContext(ContextOptions.of(depth + pp + tg).withMaxBatch(512).withParallel(parallel))) {
            int nVocab = model.config().vocabSize();
            SplittableRandom rnd = new SplittableRandom(42);
            depthPrompt = new int[depth];
            for (int i = 0; i < depth; i++) depthPrompt[i] = rnd.nextInt(nVocab);
            int[] prompt = new int[pp];
            for (int i = 0; i < pp; i++) prompt[i] = rnd.nextInt(nVocab);
            int first = rnd.nextInt(nVocab);

            long t0 = System.nanoTime();
            for (int i = 0; i < 2; i++) { // warm-up: JIT and page cache
                if (doPp) runPp(ctx, prompt);
                if (doTg) runTg(ctx, first, tg);
            }
            System.out.printf(Locale.ROOT, "warm-up %.1f s%n", (System.nanoTime() - t0) / 1e9);

            List<double[]> rows = new ArrayList<>(); // ours pp, ours tg, llama pp, llama tg
            long genRss = 0;
            for (int r = 0; r < rounds; r++) {
                double oPp = doPp ? tokensPerSecond(reps, pp, () -> runPp(ctx, prompt)) : Double.NaN;
                double oTg = doTg ? tokensPerSecond(reps, tg, () -> runTg(ctx, first, tg)) : Double.NaN;
                genRss = Math.max(genRss, statusKb("VmRSS") * 1024);
                double[] ll = llama == null ? new double[] {Double.NaN, Double.NaN}
                        : llamaBench(llama, file, threads, doPp ? pp : 0, doTg ? tg : 0, reps);
                rows.add(new double[] {oPp, oTg, ll[0], ll[1]});
                System.out.printf(Locale.ROOT, "round %d: ours pp%d %8.2f tg%d %7.2f t/s | llama.cpp pp %8.2f tg %7.2f t/s | ratio pp %.2f tg %.2f%n",
                        r + 1, pp, oPp, tg, oTg, ll[0], ll[1], oPp / ll[0], oTg / ll[1]);
            }
            double[] pRatio = rows.stream().mapToDouble(a -> a[0] / a[2]).toArray();
            double[] tRatio = rows.stream().mapToDouble(a -> a[1] / a[3]).toArray();
            System.out.printf(Locale.ROOT, "median: ours pp %.2f tg %.2f t/s | llama.cpp pp %.2f tg %.2f t/s | ratio pp %.2f tg %.2f%n",
                    median(rows, 0), median(rows, 1), median(rows, 2), median(rows, 3), median(pRatio), median(tRatio));
            long fileBytes = Files.size(file);
            long kv = ctx.kvCacheBytes();
            long hwm = statusKb("VmHWM") * 1024;
            long budget = fileBytes + kv + 300 * MB;
            System.out.printf(Locale.ROOT, "memory: RSS after generating %d MB, process VmHWM %d MB%s; budget %d MB (file %d + KV %d + 300) -> %s%n",
                    genRss / MB, hwm / MB, first(file) ? "" : " (includes earlier files)", budget / MB, fileBytes / MB,
                    kv / MB, Math.max(genRss, first(file) ? hwm : 0) <= budget ? "within" : "OVER");
        }
    }

    private static Path firstFile;
    /** Tokens per CPU second instead of per wall second ({@code -Dcpu=true}). */
    private static boolean cpu;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long now() {
        return cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    private static boolean first(Path file) {
        if (firstFile == null) firstFile = file;
        return firstFile.equals(file);
    }

    /** Tokens cached before each test ({@code -Ddepth}), and the random tokens that fill them. */
    private static int depth;
    private static int[] depthPrompt = new int[0];

    /** Clears the cache and prefills {@link #depthPrompt}; returns the time to leave out of the measurement. */
    private static long prefill(InferenceContext ctx) {
        ctx.reset();
        if (depth == 0) return 0;
        long t = now();
        try {
            ctx.evaluate(depthPrompt);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return now() - t;
    }

    private static long runPp(InferenceContext ctx, int[] prompt) {
        long untimed = prefill(ctx);
        try {
            ctx.evaluate(prompt);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return untimed;
    }

    private static long runTg(InferenceContext ctx, int first, int n) {
        long untimed = prefill(ctx);
        int tok = first;
        try {
            for (int i = 0; i < n; i++) {
                float[] logits = ctx.step(tok);
                tok = Math.floorMod(Float.floatToRawIntBits(logits[i]) ^ i, logits.length); // data-dependent, cheap
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return untimed;
    }

    /** Mean of the per-repetition t/s, as llama-bench's avg_ts; {@code test} returns its untimed part (the prefill). */
    private static double tokensPerSecond(int reps, int tokens, java.util.function.LongSupplier test) {
        double sum = 0;
        for (int i = 0; i < reps; i++) {
            long t = now();
            long untimed = test.getAsLong();
            sum += tokens / ((now() - t - untimed) / 1e9);
        }
        return sum / reps;
    }

    private static final Pattern JSON_LINE = Pattern.compile("\"n_prompt\": (\\d+), \"n_gen\": (\\d+).*\"avg_ts\": ([0-9.eE+-]+)");

    /** llama-bench's avg t/s for {pp, tg} (NaN where not run or not parsed). */
    private static double[] llamaBench(String exe, Path file, int threads, int pp, int tg, int reps) throws IOException, InterruptedException {
        if (cpu) {
            double base = llamaCpuSeconds(exe, file, 1, 0, 1);
            double ppTs = pp > 0 ? (reps + 1.0) * pp / (llamaCpuSeconds(exe, file, pp, 0, reps) - base) : Double.NaN;
            double tgTs = tg > 0 ? ((double) reps * tg + 1) / (llamaCpuSeconds(exe, file, 0, tg, reps) - base) : Double.NaN;
            return new double[] {ppTs, tgTs};
        }
        ProcessBuilder pb = new ProcessBuilder(exe, "-m", file.toString(), "-p", Integer.toString(pp), "-n",
                Integer.toString(tg), "-d", Integer.toString(depth), "-t", Integer.toString(threads), "-r",
                Integer.toString(reps), "-o", "jsonl");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        double[] out = {Double.NaN, Double.NaN};
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher m = JSON_LINE.matcher(line);
                if (!m.find()) continue;
                double ts = Double.parseDouble(m.group(3));
                if (Integer.parseInt(m.group(1)) > 0) out[0] = ts;
                else if (Integer.parseInt(m.group(2)) > 0) out[1] = ts;
            }
        }
        int rc = p.waitFor();
        if (rc != 0) System.out.println("llama-bench exited with " + rc);
        return out;
    }

    /** User + system CPU seconds of one single-threaded llama-bench run (through /usr/bin/time). */
    private static double llamaCpuSeconds(String exe, Path file, int pp, int tg, int reps) throws IOException, InterruptedException {
        Path err = Files.createTempFile("llama-bench", ".time");
        try {
            ProcessBuilder pb = new ProcessBuilder("/usr/bin/time", "-f", "CPU %U %S", exe, "-m", file.toString(), "-p",
                    Integer.toString(pp), "-n", Integer.toString(tg), "-t", "1", "-r", Integer.toString(reps), "-o", "jsonl");
            pb.redirectError(err.toFile());
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            int rc = pb.start().waitFor();
            if (rc != 0) System.out.println("llama-bench exited with " + rc);
            for (String line : Files.readAllLines(err)) {
                if (line.startsWith("CPU ")) {
                    String[] f = line.split(" ");
                    return Double.parseDouble(f[1]) + Double.parseDouble(f[2]);
                }
            }
            return Double.NaN;
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static double median(List<double[]> rows, int col) {
        return median(rows.stream().mapToDouble(a -> a[col]).toArray());
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** A {@code /proc/self/status} field in kB (0 where unavailable). */
    private static long statusKb(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
