package io.mbllm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm pull MODEL}: mbllm has no registry, so the server answers success only for a model it already
 * has and {@code pull model manifest: file does not exist} otherwise; progress lines are shown as sent.
 */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = "Pull a model (mbllm has no registry: succeeds only for models already stored).")
public final class PullCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;
    @Option(names = "--insecure", description = "accepted for compatibility; ignored")
    boolean insecure;

    public PullCommand() {
        this(CliContext.system());
    }

    PullCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected void run(ApiClient client) throws ApiException, InterruptedException {
        StatusView view = new StatusView(ctx.err(), ctx.tty());
        try {
            client.pull(model, line -> CreateCommand.show(view, line));
        } finally {
            view.finish();
        }
    }
}
