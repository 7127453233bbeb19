package io.mbllm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.mbllm.engine.lora.LoraAdapter;
import io.mbllm.engine.lora.LoraException;
import io.mbllm.engine.lora.LoraMerger;
import io.mbllm.engine.lora.LoraSpec;
import io.mbllm.engine.lora.ScaledLora;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.gguf.mix.FileType;
import io.mbllm.gguf.mix.QuantizeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm merge-lora BASE.gguf ADAPTER.gguf[:SCALE]... OUT.gguf [--quantize TYPE]}: merges LoRA adapters into
 * the base weights and writes a plain model, byte for byte as {@code llama-export-lora} ({@link LoraMerger}),
 * optionally re-quantized with llama.cpp's mix for {@code TYPE}. Exit 0 on success, 1 on bad input (the message
 * says why), 2 on usage errors.
 */
@Command(name = "merge-lora", mixinStandardHelpOptions = true,
        description = {"Merge GGUF LoRA adapters into a GGUF model (as llama-export-lora).",
                "Each adapter may carry a scale: ADAPTER.gguf:0.5 (default 1)."})
public final class MergeLoraCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "3..*", paramLabel = "BASE.gguf ADAPTER.gguf[:SCALE]... OUT.gguf",
            description = "The base model, one or more adapters, the output file.")
    List<String> args = new ArrayList<>();

    @Option(names = "--quantize", paramLabel = "TYPE", description = "Quantize the merged model, e.g. Q4_K_M or Q8_0.")
    String quantize;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads for --quantize (default: number of cores).")
    Integer threads;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        List<LoraAdapter> opened = new ArrayList<>();
        try {
            Path base = Path.of(args.getFirst());
            Path out = Path.of(args.getLast());
            FileType ft = quantize == null ? null : FileType.parse(quantize);
            int n = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (n < 1 || n > QuantizeOptions.MAX_THREADS) {
                return fail(err, "--threads must be between 1 and " + QuantizeOptions.MAX_THREADS + ", got " + n);
            }
            List<ScaledLora> adapters = new ArrayList<>();
            for (String a : args.subList(1, args.size() - 1)) {
                LoraSpec s = LoraSpec.parse(a);
                LoraAdapter ad = LoraAdapter.load(s.file());
                opened.add(ad);
                adapters.add(new ScaledLora(ad, s.scale()));
            }
            LoraMerger.Result r = ft == null ? LoraMerger.merge(base, adapters, out)
                    : LoraMerger.mergeAndQuantize(base, adapters, out, ft, n);
            err.println("wrote " + r.output() + ": " + r.mergedTensors() + " tensor(s) merged, " + r.copiedTensors()
                    + " copied" + (ft == null ? "" : ", quantized to " + ft.displayName()) + " (" + HumanSize.format(r.fileBytes()) + ")");
            err.flush();
            return 0;
        } catch (LoraException | IllegalArgumentException e) {
            return fail(err, e.getMessage());
        } catch (NoSuchFileException e) {
            return fail(err, e.getFile() + ": no such file");
        } catch (GgufFormatException e) {
            return fail(err, "not a valid GGUF file: " + e.getMessage());
        } catch (IOException e) {
            return fail(err, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(err, "cancelled");
        } finally {
            for (LoraAdapter a : opened) a.close();
        }
    }

    static int fail(PrintWriter err, String message) {
        err.println("Error: " + message);
        err.flush();
        return 1;
    }
}
