package io.mbllm.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.Imatrix;
import io.mbllm.gguf.mix.ModelQuantizer;
import io.mbllm.gguf.mix.QuantizeOptions;
import io.mbllm.gguf.quant.QuantTypes;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm quantize IN.gguf OUT.gguf TYPE}: quantizes a local GGUF model with llama.cpp's mixes, producing the
 * same bytes as {@code llama-quantize}. Progress goes to stderr, then a summary. Exit 0 on success, 1 on bad
 * input (the message says why), 2 on usage errors.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a GGUF model (F32/F16/BF16 weights) with llama.cpp's quantization mixes.",
                "TYPE is a llama.cpp file type such as Q4_K_M, Q8_0 or its numeric id (15)."})
public final class QuantizeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.gguf", description = "Input model.")
    Path input;

    @Parameters(index = "1", paramLabel = "OUT.gguf", description = "Output file (written atomically).")
    Path output;

    @Parameters(index = "2", paramLabel = "TYPE", description = "Target file type, e.g. Q4_K_M.")
    String type;

    @Option(names = "--imatrix", paramLabel = "FILE", description = "Importance matrix (GGUF or legacy .dat).")
    String imatrix;

    @Option(names = "--pure", description = "Give every quantizable tensor the default type (no per-tensor mix).")
    boolean pure;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: number of cores).")
    Integer threads;

    @Option(names = "--output-tensor-type", paramLabel = "T", description = "ggml type for output.weight, e.g. q8_0.")
    String outputTensorType;

    @Option(names = "--token-embedding-type", paramLabel = "T", description = "ggml type for token_embd.weight.")
    String tokenEmbeddingType;

    @Option(names = "--allow-requantize", description = "Accept already-quantized input tensors (lossy).")
    boolean allowRequantize;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            FileType ft = FileType.parse(type);
            int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (n < 1 || n > QuantizeOptions.MAX_THREADS) {
                return fail(err, "--threads must be between 1 and " + QuantizeOptions.MAX_THREADS + ", got " + n);
            }
            QuantizeOptions opts = QuantizeOptions.of(ft).withThreads(n).withPure(pure).withAllowRequantize(allowRequantize)
                    .withOutputTensorType(ggmlType("--output-tensor-type", outputTensorType))
                    .withTokenEmbeddingType(ggmlType("--token-embedding-type", tokenEmbeddingType));
            if (!Files.isRegularFile(input)) return fail(err, input + ": no such file");
            if (imatrix != null) opts = opts.withImatrix(Imatrix.load(Path.of(imatrix)), imatrix);
            boolean redraw = isTerminal();
            ProgressBar bar = new ProgressBar(err, redraw, System::nanoTime);
            err.println("quantizing " + input + " to " + ft.displayName() + " with " + n + " thread(s)");
            err.flush();
            ModelQuantizer.Result r;
            try {
                r = ModelQuantizer.quantize(input, output, opts,
                        p -> bar.update(String.format(Locale.ROOT, "[%d/%d] %s", p.index() + 1, p.count(), p.tensor()),
                                p.bytesDone(), p.bytesTotal()));
            } finally {
                bar.finish();
            }
            err.println(summary(r, output));
            err.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            return fail(err, e.getMessage());
        } catch (NoSuchFileException e) {
            return fail(err, e.getFile() + ": no such file");
        } catch (GgufFormatException e) {
            return fail(err, input + ": not a valid GGUF file: " + e.getMessage());
        } catch (IOException e) {
            return fail(err, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(err, "cancelled");
        }
    }

    /** The summary block printed after a run. */
    static String summary(ModelQuantizer.Result r, Path output) {
        double secs = r.elapsed().toNanos() / 1e9;
        String counts = r.tensorCounts().entrySet().stream()
                .map((Map.Entry<GgmlType, Integer> e) -> e.getKey().ggmlName() + ": " + e.getValue())
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, """
                wrote %s (%s)
                  size:        %s → %s
                  bits/weight: %.2f
                  time:        %s
                  throughput:  %s
                  tensors:     %s""",
                output, r.ftype().displayName(),
                HumanSize.format(r.inputTensorBytes()), HumanSize.format(r.outputTensorBytes()),
                r.bitsPerWeight(), Units.duration(secs), Units.rate(r.inputTensorBytes(), secs), counts);
    }

    private static GgmlType ggmlType(String option, String name) {
        if (name == null) return null;
        GgmlType t = GgmlType.byName(name.strip());
        if (t == null || QuantTypes.find(t).isEmpty() || t == GgmlType.Q8_K || t == GgmlType.Q8_1) {
            String valid = Arrays.stream(GgmlType.values())
                    .filter(x -> QuantTypes.find(x).isPresent() && x != GgmlType.Q8_K && x != GgmlType.Q8_1)
                    .map(GgmlType::ggmlName).collect(Collectors.joining(", "));
            throw new IllegalArgumentException(option + ": unknown or unsupported ggml type '" + name + "'; valid: " + valid);
        }
        return t;
    }

    private static boolean isTerminal() {
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    private static int fail(PrintWriter err, String message) {
        err.println("Error: " + message);
        err.flush();
        return 1;
    }
}
