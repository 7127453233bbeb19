package io.mbllm.engine.template.go;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed Go {@code text/template}. Supports the whole action language: text and actions with
 * {@code {{-}}/{@code -}}} trim markers, comments, pipelines, {@code $x :=} / {@code $x =} variables,
 * {@code if / else if / else with / with / range (lists, maps, ints) / break / continue / define / template /
 * block}, string/raw/char/number literals, and every predefined function
 * ({@code and or not len index slice eq ne lt le gt ge print printf println html js urlquery call}).
 *
 * <p>Data model (see {@code GoValues}): {@link Map} acts as {@code map[string]any} (a missing key yields nil,
 * printed {@code <no value>}, like Ollama's {@code missingkey=zero} on such maps), records act as structs
 * (unknown field ⇒ execution error), {@link List}/arrays as slices, {@link GoStringer} values print via
 * their String method. Methods on data values are not callable.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class GoTemplate {
    private final String name;
    private final String source;
    private final List<Node> root;
    private final Map<String, List<Node>> defined;
    private final Map<String, GoFunction> funcs;

    GoTemplate(String name, String source, List<Node> root, Map<String, List<Node>> defined,
            Map<String, GoFunction> funcs) {
        this.name = name;
        this.source = source;
        this.root = List.copyOf(root);
        this.defined = Map.copyOf(defined);
        this.funcs = Map.copyOf(funcs);
    }

    /** Parses {@code text} as the unnamed template with only the predefined functions. */
    public static GoTemplate parse(String text) throws GoTemplateException {
        return parse("", text, Map.of());
    }

    /**
     * Parses {@code text} as template {@code name}, with extra functions in addition to the predefined ones
     * (an extra function with a predefined name replaces it, as in Go's Funcs).
     */
    public static GoTemplate parse(String name, String text, Map<String, GoFunction> extraFuncs)
            throws GoTemplateException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
        Map<String, GoFunction> funcs = new HashMap<>(Builtins.FUNCTIONS);
        funcs.putAll(extraFuncs);
        Set<String> known = new HashSet<>(funcs.keySet());
        known.add("and");
        known.add("or");
        try {
            Parser.Parsed parsed = Parser.parse(text, known);
            Map<String, List<Node>> all = new LinkedHashMap<>(parsed.defined());
            all.putIfAbsent(name, parsed.root());
            return new GoTemplate(name, text, parsed.root(), all, funcs);
        } catch (Parser.ParseError e) {
            int[] lc = lineColumn(text, e.pos);
            throw new GoTemplateException(name, lc[0], lc[1], null, e.getMessage());
        } catch (StackOverflowError e) {
            throw new GoTemplateException(name, 0, 0, null, "template nesting too deep");
        }
    }

    /** Renders the template with {@code data} as dot and {@code $}. */
    public String execute(Object data) throws GoTemplateException {
        StringBuilder out = new StringBuilder();
        execute(data, out);
        return out.toString();
    }

    /** Renders the template with {@code data}, appending to {@code out}. */
    public void execute(Object data, StringBuilder out) throws GoTemplateException {
        Executor ex = new Executor(defined, funcs, out, data, 0);
        try {
            ex.walkList(data, root);
        } catch (EvalError e) {
            int[] lc = lineColumn(source, ex.atPos);
            throw new GoTemplateException(name, lc[0], lc[1], ex.atSrc, e.getMessage());
        } catch (StackOverflowError e) {
            throw new GoTemplateException(name, 0, 0, ex.atSrc, "template nesting too deep");
        }
    }

    /** Runs the template called {@code templateName} (defined with define/block) with {@code data}. */
    public String executeTemplate(String templateName, Object data) throws GoTemplateException {
        List<Node> body = defined.get(templateName);
        if (body == null) {
            throw new GoTemplateException(name, 0, 0, null, "no template \"" + templateName + "\" defined");
        }
        return withRoot(body).execute(data);
    }

    /** The template name ("" when parsed without one). */
    public String name() {
        return name;
    }

    /** The source text, verbatim. */
    public String source() {
        return source;
    }

    /** Names of templates defined with {@code define} or {@code block}, plus this template's own name. */
    public Set<String> templateNames() {
        return defined.keySet();
    }

    @Override
    public String toString() {
        return source;
    }

    // ---- package-private access for the Ollama layer -------------------------------------------------

    List<Node> root() {
        return root;
    }

    Map<String, List<Node>> defined() {
        return defined;
    }

    /** A copy whose root body is replaced (defined templates and functions are shared). */
    GoTemplate withRoot(List<Node> newRoot) {
        return new GoTemplate(name, source, newRoot, defined, funcs);
    }

    static int[] lineColumn(String text, int pos) {
        int line = 1;
        int lineStart = 0;
        int end = Math.min(Math.max(pos, 0), text.length());
        for (int i = 0; i < end; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, end - lineStart + 1};
    }
}
