package io.mbllm.cli;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A verb that is an HTTP client of the server (cli.md §0): connects to {@code MBLLM_HOST}/{@code OLLAMA_HOST},
 * checks the server with {@code HEAD /} first, and turns every failure into {@code Error: <message>} on stderr
 * with exit status 1.
 */
public abstract class ClientCommand implements Callable<Integer> {
    /** Where the verb runs. */
    protected final CliContext ctx;

    protected ClientCommand(CliContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public final Integer call() {
        try {
            ApiClient client = new ApiClient(ServerAddress.fromEnvironment(ctx.env(),
                    w -> ctx.err().println("Warning: " + w)));
            if (needsServer()) client.heartbeat();
            run(client);
            return 0;
        } catch (ApiException | CliException e) {
            ctx.err().println("Error: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            ctx.err().println("Error: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ctx.err().println();
            return 130;
        }
    }

    /** False for verbs that fail before any request. */
    protected boolean needsServer() {
        return true;
    }

    /** The verb's work. */
    protected abstract void run(ApiClient client) throws ApiException, CliException, IOException, InterruptedException;
}
