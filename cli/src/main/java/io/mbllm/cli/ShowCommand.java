package io.mbllm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code mbllm show MODEL}: {@code POST /api/show}, printed either as one raw field (a selector flag) or as the
 * sections Model, Capabilities, Projector, Parameters, Metadata ({@code -v}), Tensors ({@code -v}), System and
 * License (first two lines each).
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show information for a model.")
public final class ShowCommand extends ClientCommand {
    static final String ONE_SELECTOR = "only one of '--license', '--modelfile', '--parameters', '--system', or "
            + "'--template' can be specified";

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;
    @Option(names = "--license", description = "show the license")
    boolean license;
    @Option(names = "--modelfile", description = "show the Modelfile")
    boolean modelfile;
    @Option(names = "--parameters", description = "show the parameters")
    boolean parameters;
    @Option(names = "--system", description = "show the system prompt")
    boolean system;
    @Option(names = "--template", description = "show the template")
    boolean template;
    @Option(names = {"-v", "--verbose"}, description = "show all metadata and the tensors")
    boolean verbose;

    public ShowCommand() {
        this(CliContext.system());
    }

    ShowCommand(CliContext ctx) {
        super(ctx);
    }

    private String selector() throws CliException {
        List<String> chosen = new ArrayList<>();
        if (license) chosen.add("license");
        if (modelfile) chosen.add("modelfile");
        if (parameters) chosen.add("parameters");
        if (system) chosen.add("system");
        if (template) chosen.add("template");
        if (chosen.size() > 1) throw new CliException(ONE_SELECTOR);
        return chosen.isEmpty() ? null : chosen.getFirst();
    }

    @Override
    protected void run(ApiClient client) throws ApiException, CliException, InterruptedException {
        String field = selector();
        JsonNode resp = client.show(model, verbose);
        if (field != null) {
            JsonNode v = resp.path(field);
            ctx.out().println(v.isArray() ? String.join("\n", texts(v)) : v.asText(""));
            return;
        }
        print(resp, verbose, ctx.out());
    }

    /** The sectioned view of a show response. */
    static void print(JsonNode resp, boolean verbose, PrintStream out) {
        JsonNode info = resp.path("model_info");
        JsonNode details = resp.path("details");
        List<String[]> model = new ArrayList<>();
        if (info.isObject() && info.has("general.architecture")) {
            String arch = info.path("general.architecture").asText();
            model.add(row("architecture", arch));
            String params = details.path("parameter_size").asText("");
            model.add(row("parameters", params));
            if (info.has(arch + ".context_length")) model.add(row("context length", number(info.path(arch + ".context_length"))));
            if (info.has(arch + ".embedding_length")) model.add(row("embedding length", number(info.path(arch + ".embedding_length"))));
        } else {
            model.add(row("architecture", details.path("family").asText("")));
            model.add(row("parameters", details.path("parameter_size").asText("")));
        }
        model.add(row("quantization", details.path("quantization_level").asText("")));
        if (!resp.path("requires").asText("").isEmpty()) model.add(row("requires", resp.path("requires").asText()));
        section(out, "Model", model);

        List<String[]> caps = new ArrayList<>();
        for (JsonNode c : resp.path("capabilities")) caps.add(new String[] {"", c.asText()});
        if (!caps.isEmpty()) section(out, "Capabilities", caps);

        JsonNode proj = resp.path("projector_info");
        if (proj.isObject() && proj.size() > 0) {
            String arch = proj.path("general.architecture").asText("");
            List<String[]> rows = new ArrayList<>();
            rows.add(row("architecture", arch));
            if (proj.has("general.parameter_count")) rows.add(row("parameters", number(proj.path("general.parameter_count"))));
            if (proj.has(arch + ".vision.embedding_length")) rows.add(row("embedding length", number(proj.path(arch + ".vision.embedding_length"))));
            if (proj.has(arch + ".vision.projection_dim")) rows.add(row("dimensions", number(proj.path(arch + ".vision.projection_dim"))));
            section(out, "Projector", rows);
        }

        String params = resp.path("parameters").asText("");
        if (!params.isEmpty()) {
            List<String[]> rows = new ArrayList<>();
            for (String line : params.split("\n")) {
                String t = line.strip();
                if (t.isEmpty()) continue;
                int sp = t.indexOf(' ');
                rows.add(sp < 0 ? row(t, "") : row(t.substring(0, sp), t.substring(sp).strip()));
            }
            section(out, "Parameters", rows);
        }

        if (verbose && info.isObject()) {
            List<String[]> rows = new ArrayList<>();
            TreeSet<String> keys = new TreeSet<>();
            info.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) rows.add(row(k, value(info.path(k))));
            section(out, "Metadata", rows);
            List<String[]> tensors = new ArrayList<>();
            for (JsonNode t : resp.path("tensors")) {
                tensors.add(new String[] {"", t.path("name").asText(), t.path("type").asText(), t.path("shape").toString()});
            }
            if (!tensors.isEmpty()) section(out, "Tensors", tensors);
        }

        String sys = resp.path("system").asText("");
        if (!sys.isEmpty()) section(out, "System", head(sys, 2));
        JsonNode lic = resp.path("license");
        String licText = lic.isArray() ? String.join("\n", texts(lic)) : lic.asText("");
        if (!licText.isEmpty()) section(out, "License", head(licText, 2));
    }

    private static void section(PrintStream out, String title, List<String[]> rows) {
        out.println("  " + title);
        Table.print(out, rows);
        out.println();
    }

    private static String[] row(String key, String value) {
        return new String[] {"", key, value};
    }

    /** The first {@code n} non-blank lines, then {@code ...} when there are more. */
    static List<String[]> head(String text, int n) {
        List<String[]> rows = new ArrayList<>();
        int count = 0;
        for (String line : text.split("\\R")) {
            String t = line.strip();
            if (t.isEmpty()) continue;
            if (++count <= n) rows.add(new String[] {"", t});
        }
        if (count > n) rows.add(new String[] {"", "..."});
        return rows;
    }

    private static String number(JsonNode n) {
        if (n.isIntegralNumber()) return n.asText();
        double d = n.asDouble();
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String value(JsonNode v) {
        if (v.isTextual()) return v.asText();
        if (v.isNumber()) return number(v);
        return v.toString();
    }

    private static List<String> texts(JsonNode arr) {
        List<String> out = new ArrayList<>();
        for (JsonNode s : arr) out.add(s.asText());
        return out;
    }
}
