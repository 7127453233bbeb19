package io.mbllm.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import io.mbllm.engine.train.LoraTarget;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options of the commands that train a LoRA adapter ({@code finetune}, {@code heal}), a picocli mixin: where
 * the adapter goes, its shape (rank, alpha, targets), the AdamW learning rate and the batches. The defaults
 * belong to each command: it names a {@link Defaults} subclass as its {@code defaultValueProvider}, so picocli
 * sets them and {@code --help} shows them as that command's. {@code --steps} and {@code --seed} stay with each
 * command, as they mean different things there (finetune: steps in all, by default from {@code --epochs}; heal:
 * a fixed count, and a seed of the teacher's text too).
 */
final class LoraTrainingOptions {
    @Option(names = {"-o", "--out"}, required = true, paramLabel = "ADAPTER.gguf", description = "Where to write the adapter.")
    Path out;

    @Option(names = "--rank", paramLabel = "R", description = "LoRA rank (default: ${DEFAULT-VALUE}).")
    int rank;

    @Option(names = "--alpha", paramLabel = "A", description = "LoRA alpha; the update is scaled by alpha/rank (default: ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--targets", paramLabel = "LIST", description = "Matrices to adapt, from q,k,v,o,gate,up,down or all (default: ${DEFAULT-VALUE}).")
    String targets;

    @Option(names = "--lr", paramLabel = "LR", description = "AdamW learning rate (default: ${DEFAULT-VALUE}; betas 0.9/0.999, eps 1e-8).")
    double lr;

    @Option(names = "--batch", paramLabel = "N", description = "Sequences per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq-len", paramLabel = "N", description = "Tokens per training sequence (default: ${DEFAULT-VALUE}).")
    int seqLen;

    /**
     * Checks the values; a bad one is a usage error (exit 2) that names its option.
     *
     * @return the parsed {@code --targets}
     */
    Set<LoraTarget> check() throws EngineOptions.CliException {
        if (rank < 1) throw new EngineOptions.CliException(2, "--rank must be at least 1, got " + rank);
        if (!(alpha > 0) || !Float.isFinite(alpha)) throw new EngineOptions.CliException(2, "--alpha must be a positive number, got " + alpha);
        if (!(lr > 0) || !Double.isFinite(lr)) throw new EngineOptions.CliException(2, "--lr must be a positive number, got " + lr);
        if (batch < 1) throw new EngineOptions.CliException(2, "--batch must be at least 1, got " + batch);
        if (seqLen < 2) throw new EngineOptions.CliException(2, "--seq-len must be at least 2, got " + seqLen);
        try {
            return LoraTarget.parse(targets);
        } catch (IllegalArgumentException e) {
            throw new EngineOptions.CliException(2, "--targets: " + e.getMessage());
        }
    }

    /** One command's defaults of these options, by option name; other options keep their field values. */
    abstract static class Defaults implements CommandLine.IDefaultValueProvider {
        private final Map<String, String> byName;

        Defaults(int rank, float alpha, String targets, double lr, int batch, int seqLen) {
            byName = Map.of("--rank", Integer.toString(rank), "--alpha", Float.toString(alpha), "--targets", targets,
                    "--lr", Double.toString(lr), "--batch", Integer.toString(batch), "--seq-len", Integer.toString(seqLen));
        }

        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            return arg instanceof CommandLine.Model.OptionSpec o ? byName.get(o.longestName()) : null;
        }
    }
}
