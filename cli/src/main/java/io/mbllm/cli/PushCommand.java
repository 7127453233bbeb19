package io.mbllm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mbllm push MODEL}: not supported (no registry); always {@code Error: push is not supported}, exit 1. */
@Command(name = "push", mixinStandardHelpOptions = true, description = "Push a model (not supported by mbllm).")
public final class PushCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;
    @Option(names = "--insecure", description = "accepted for compatibility; ignored")
    boolean insecure;

    public PushCommand() {
        this(CliContext.system());
    }

    PushCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected boolean needsServer() {
        return false;
    }

    @Override
    protected void run(ApiClient client) throws CliException {
        throw new CliException("push is not supported");
    }
}
