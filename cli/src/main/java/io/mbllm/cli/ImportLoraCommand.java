package io.mbllm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.mbllm.engine.lora.LoraException;
import io.mbllm.engine.lora.PeftImporter;
import io.mbllm.gguf.GgmlType;
import io.mbllm.gguf.GgufFormatException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm import-lora DIR OUT.gguf --base BASE.gguf [--outtype f32|f16|bf16|q8_0]}: converts a Hugging Face PEFT
 * LoRA directory ({@code adapter_config.json} + {@code adapter_model.safetensors}) into a GGUF adapter for the base
 * model, as {@code convert_lora_to_gguf.py} does ({@link PeftImporter}). Exit 0 on success, 1 on bad input.
 */
@Command(name = "import-lora", mixinStandardHelpOptions = true,
        description = "Convert a PEFT LoRA adapter directory into a GGUF LoRA adapter for a GGUF base model.")
public final class ImportLoraCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "PEFT directory (adapter_config.json, adapter_model.safetensors).")
    Path dir;

    @Parameters(index = "1", paramLabel = "OUT.gguf", description = "Output adapter (written atomically).")
    Path output;

    @Option(names = "--base", required = true, paramLabel = "BASE.gguf", description = "The GGUF base model the adapter is for.")
    Path base;

    @Option(names = "--outtype", paramLabel = "TYPE", description = "f32 (default), f16, bf16 or q8_0 (rows not a multiple of 32 stay f16).")
    String outtype = "f32";

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            GgmlType type = switch (outtype.toLowerCase(Locale.ROOT)) {
                case "f32" -> GgmlType.F32;
                case "f16" -> GgmlType.F16;
                case "bf16" -> GgmlType.BF16;
                case "q8_0" -> GgmlType.Q8_0;
                default -> throw new IllegalArgumentException("--outtype must be f32, f16, bf16 or q8_0, got '" + outtype + "'");
            };
            PeftImporter.Result r = PeftImporter.importDir(dir, base, output, type);
            err.printf(Locale.ROOT, "wrote %s: %d adapted tensor(s), rank %d, alpha %s%n", r.output(), r.pairs(), r.rank(), r.alpha());
            err.flush();
            return 0;
        } catch (LoraException | IllegalArgumentException e) {
            return MergeLoraCommand.fail(err, e.getMessage());
        } catch (NoSuchFileException e) {
            return MergeLoraCommand.fail(err, e.getFile() + ": no such file");
        } catch (GgufFormatException e) {
            return MergeLoraCommand.fail(err, base + ": not a valid GGUF file: " + e.getMessage());
        } catch (IOException e) {
            return MergeLoraCommand.fail(err, e.getMessage());
        }
    }
}
