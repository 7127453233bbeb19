package io.mbllm.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mbllm stop MODEL}: unloads a running model (empty generate with {@code keep_alive: 0}). */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop a running model.")
public final class StopCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    public StopCommand() {
        this(CliContext.system());
    }

    StopCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected void run(ApiClient client) throws ApiException, CliException, InterruptedException {
        try {
            client.unload(model);
        } catch (ApiException e) {
            if (e.status() == 404) throw new CliException("couldn't find model \"" + model + "\" to stop");
            throw e;
        }
    }
}
