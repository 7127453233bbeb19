package io.mbllm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code mbllm ps}: the loaded models of {@code GET /api/ps} as {@code NAME ID SIZE PROCESSOR CONTEXT UNTIL}. */
@Command(name = "ps", mixinStandardHelpOptions = true, description = "List running models.")
public final class PsCommand extends ClientCommand {
    public PsCommand() {
        this(CliContext.system());
    }

    PsCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected void run(ApiClient client) throws ApiException, InterruptedException {
        JsonNode ps = client.ps();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"});
        Instant now = ctx.now().get();
        for (JsonNode m : ps.path("models")) {
            long size = m.path("size").asLong();
            Instant until = ListCommand.time(m.path("expires_at").asText(""));
            String untilText = until != null && until.isBefore(now) ? "Stopping..."
                    : OllamaFormat.relative(until, now, "Never");
            rows.add(new String[] {m.path("name").asText(), ListCommand.shortId(m.path("digest").asText()),
                    OllamaFormat.bytes(size), processor(size, m.path("size_vram").asLong()),
                    Long.toString(m.path("context_length").asLong()), untilText});
        }
        Table.print(ctx.out(), rows);
    }

    /** {@code 100% CPU}, {@code 100% GPU}, or the split {@code 48%/52% CPU/GPU}. */
    static String processor(long size, long vram) {
        if (vram == 0) return "100% CPU";
        if (vram == size) return "100% GPU";
        if (vram > size || size == 0) return "Unknown";
        long cpu = Math.round((double) (size - vram) / size * 100);
        return cpu + "%/" + (100 - cpu) + "% CPU/GPU";
    }
}
