package io.mbllm.cli;

import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm rm MODEL...}: for each model, unloads it if running (a model that is not loaded or not found is
 * fine), then deletes it ({@code DELETE /api/delete}), printing {@code deleted 'x'}.
 */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove one or more models.")
public final class RemoveCommand extends ClientCommand {
    @Parameters(index = "0..*", arity = "1..*", paramLabel = "MODEL")
    List<String> models;

    public RemoveCommand() {
        this(CliContext.system());
    }

    RemoveCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected void run(ApiClient client) throws ApiException, InterruptedException {
        for (String m : models) {
            try {
                client.unload(m);
            } catch (ApiException e) {
                if (!e.getMessage().toLowerCase(Locale.ROOT).contains("not found")) {
                    ctx.err().println("Warning: unable to stop model '" + m + "'");
                }
            }
            client.delete(m);
            ctx.out().println("deleted '" + m + "'");
        }
    }
}
