package io.mbllm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mbllm list [PREFIX]}: the models of {@code GET /api/tags} as {@code NAME ID SIZE MODIFIED}. */
@Command(name = "list", aliases = "ls", mixinStandardHelpOptions = true,
        description = "List models (optionally those whose name starts with PREFIX).")
public final class ListCommand extends ClientCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PREFIX", description = "name prefix (any case)")
    String prefix;

    public ListCommand() {
        this(CliContext.system());
    }

    ListCommand(CliContext ctx) {
        super(ctx);
    }

    @Override
    protected void run(ApiClient client) throws ApiException, InterruptedException {
        JsonNode tags = client.tags();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "ID", "SIZE", "MODIFIED"});
        Instant now = ctx.now().get();
        for (JsonNode m : tags.path("models")) {
            String name = m.path("name").asText();
            if (prefix != null && !name.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT))) continue;
            String size = m.path("remote_model").asText("").isEmpty() ? OllamaFormat.bytes(m.path("size").asLong()) : "-";
            rows.add(new String[] {name, shortId(m.path("digest").asText()), size,
                    OllamaFormat.relative(time(m.path("modified_at").asText("")), now, "Never")});
        }
        Table.print(ctx.out(), rows);
    }

    /** The first 12 characters of a digest (without a {@code sha256:} prefix). */
    static String shortId(String digest) {
        String d = digest.startsWith("sha256:") ? digest.substring(7) : digest;
        return d.length() > 12 ? d.substring(0, 12) : d;
    }

    /** An RFC 3339 time, or null when absent or unreadable. */
    static Instant time(String s) {
        if (s.isEmpty()) return null;
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
