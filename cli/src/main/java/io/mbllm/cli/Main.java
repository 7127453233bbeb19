package io.mbllm.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mbllm} command: subcommands are registered here and each lives in its own class. */
@Command(name = "mbllm",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Quantize open LLM weights into small variants and run them locally.",
        // Ollama's verbs first, in its order; then the local tools.
        subcommands = {
                ServeCommand.class,
                CreateCommand.class,
                ShowCommand.class,
                RunCommand.class,
                StopCommand.class,
                PullCommand.class,
                PushCommand.class,
                ListCommand.class,
                PsCommand.class,
                CopyCommand.class,
                RemoveCommand.class,
                QuantizeCommand.class,
                GgufCommand.class,
                BenchCommand.class,
                PerplexityCommand.class,
                CompareCommand.class,
                MergeLoraCommand.class,
                ImportLoraCommand.class,
                FinetuneCommand.class,
                HealCommand.class,
                CommandLine.HelpCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Version from the jar manifest, or "dev" when running from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"mbllm " + (v == null ? "0.1.0-dev" : v)};
        }
    }
}
