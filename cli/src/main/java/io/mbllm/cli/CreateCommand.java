package io.mbllm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.mbllm.server.modelfile.Modelfile;
import io.mbllm.server.modelfile.ModelfileException;
import io.mbllm.server.modelfile.ModelfileParser;
import io.mbllm.server.store.ModelName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm create MODEL [-f Modelfile] [-q LEVEL]} (cli.md {@code create}): parses the Modelfile here,
 * resolves {@code FROM}/{@code ADAPTER} relative to it, uploads local files as blobs (skipping those the server
 * has), then streams {@code POST /api/create}, drawing each status line and the quantization progress on stderr.
 * Without {@code -f}, {@code ./Modelfile} is used, or {@code FROM .} when there is none. A tag naming a level
 * ({@code rocket-3b:q4}) makes the server quantize even without {@code -q}.
 */
@Command(name = "create", mixinStandardHelpOptions = true, description = {"Create a model from a Modelfile.",
        "ADAPTER lines (one or more) add LoRA adapters: a GGUF adapter or a PEFT folder, PATH:SCALE for a scale."})
public final class CreateCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "MODEL", description = "name of the new model, e.g. rocket-3b:q4")
    String model;
    @Option(names = {"-f", "--file"}, paramLabel = "FILE", description = "Modelfile (default ./Modelfile)")
    Path file;
    @Option(names = {"-q", "--quantize"}, paramLabel = "LEVEL", description = "quantize to q4_K_M, q4_K_S or q8_0")
    String quantize;

    public CreateCommand() {
        this(CliContext.system());
    }

    CreateCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected void run(ApiClient client) throws ApiException, CliException, IOException, InterruptedException {
        if (!ModelName.isValid(model)) throw new CliException("invalid model name: " + model);
        Modelfile mf;
        Path baseDir;
        try {
            if (file != null) {
                Path p = ctx.cwd().resolve(file);
                if (!Files.isRegularFile(p)) throw new CliException("specified Modelfile wasn't found");
                mf = ModelfileParser.parse(p, w -> ctx.err().println(w));
                baseDir = p.toAbsolutePath().getParent();
            } else {
                Path p = ctx.cwd().resolve("Modelfile");
                mf = Files.isRegularFile(p) ? ModelfileParser.parse(p, w -> ctx.err().println(w)) : Modelfile.of(".");
                baseDir = ctx.cwd();
            }
        } catch (ModelfileException e) {
            throw new CliException(e.getMessage());
        }
        send(ctx, client, model, mf, baseDir, quantize);
    }

    /**
     * Creates {@code model} from {@code mf} on the server: uploads the local files the server lacks as blobs, then
     * streams {@code POST /api/create} with its progress on stderr (also used by {@code mbllm heal --create}).
     */
    static void send(CliContext ctx, ApiClient client, String model, Modelfile mf, Path baseDir, String quantize)
            throws ApiException, CliException, IOException, InterruptedException {
        StatusView view = new StatusView(ctx.err(), ctx.tty());
        try {
            view.status("gathering model components");
            ModelfileRequest req = ModelfileRequest.build(model, mf, baseDir, quantize);
            for (ModelfileRequest.Upload u : req.uploads()) {
                String label = "copying file " + u.digest();
                view.progress(label, 0, u.size());
                if (!client.hasBlob(u.digest())) {
                    client.uploadBlob(u.digest(), u.file(), n -> view.progress(label, n, u.size()));
                }
                view.progress(label, u.size(), u.size());
            }
            client.create(req.body(), line -> show(view, line));
        } finally {
            view.finish();
        }
    }

    /** Shows one progress line of create/pull: a bar when it carries a digest and a total, else the status. */
    static void show(StatusView view, JsonNode line) {
        String status = line.path("status").asText("");
        String digest = line.path("digest").asText("");
        if (!digest.isEmpty() && line.path("total").asLong() > 0) {
            String label = status.isEmpty() ? "pulling " + ListCommand.shortId(digest) : status;
            view.progress(label, line.path("completed").asLong(), line.path("total").asLong());
        } else if (!status.isEmpty()) {
            view.status(status);
        }
    }
}
