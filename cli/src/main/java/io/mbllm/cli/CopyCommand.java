package io.mbllm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mbllm cp SOURCE DESTINATION}: copies a model under a new name ({@code POST /api/copy}). */
@Command(name = "cp", mixinStandardHelpOptions = true, description = "Copy a model.")
public final class CopyCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;
    @Parameters(index = "1", paramLabel = "DESTINATION")
    String destination;

    public CopyCommand() {
        this(CliContext.system());
    }

    CopyCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected void run(ApiClient client) throws ApiException, InterruptedException {
        client.copy(source, destination);
        ctx.out().println("copied '" + source + "' to '" + destination + "'");
    }
}
