package io.mbllm.server.modelfile;

import io.mbllm.engine.template.go.GoFormat;
import io.mbllm.engine.template.go.GoJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A model's stored options (Modelfile {@code PARAMETER}s, the params layer), sorted by name. Immutable.
 *
 * @param values name → typed value, sorted by name
 */
public record Parameters(SortedMap<String, ParamValue> values) {

    /** No parameters. */
    public static final Parameters EMPTY = new Parameters(new TreeMap<>());

    public Parameters {
        values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
    }

    /** True when no parameter is set. */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The value of {@code name}, if set. */
    public Optional<ParamValue> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /**
     * This set with {@code value} applied the way a Modelfile applies a repeated line: a string list is appended
     * to the current list, any other value replaces the current one.
     */
    public Parameters plus(String name, ParamValue value) {
        TreeMap<String, ParamValue> m = new TreeMap<>(values);
        if (value instanceof ParamValue.StringList add && m.get(name) instanceof ParamValue.StringList old) {
            List<String> joined = new ArrayList<>(old.values());
            joined.addAll(add.values());
            m.put(name, new ParamValue.StringList(joined));
        } else {
            m.put(name, value);
        }
        return new Parameters(m);
    }

    /** Key-by-key merge for create-from-a-base-model: the keys of {@code this} override those of {@code base}. */
    public Parameters over(Parameters base) {
        TreeMap<String, ParamValue> m = new TreeMap<>(base.values);
        m.putAll(values);
        return new Parameters(m);
    }

    /** The JSON object as Go's {@code map[string]any} would hold it (Float, Long, Boolean, List). */
    public Map<String, Object> toJsonMap() {
        TreeMap<String, Object> m = new TreeMap<>();
        values.forEach((k, v) -> m.put(k, v.jsonValue()));
        return m;
    }

    /** The params layer bytes: Go's JSON encoding (keys sorted, HTML-safe escapes) plus {@code \n}. */
    public byte[] toLayerBytes() {
        try {
            return (GoJson.marshal(toJsonMap()) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (GoJson.UnsupportedValueException e) {
            throw new IllegalStateException(e); // values are finite by construction
        }
    }

    /**
     * Reads a decoded JSON object strictly (API {@code parameters}): unknown and deprecated keys are reported to
     * {@code warnings} and skipped, a mistyped value fails.
     */
    public static Parameters fromJson(Map<String, ?> json, Consumer<String> warnings) throws ParameterException {
        TreeMap<String, ParamValue> m = new TreeMap<>();
        for (Map.Entry<String, ?> e : json.entrySet()) {
            Optional<ParamType> type = ParameterSpec.typeOf(e.getKey());
            if (type.isEmpty()) {
                warnings.accept(ParameterSpec.isDeprecated(e.getKey())
                        ? "warning: parameter " + e.getKey() + " is deprecated"
                        : "invalid option provided: " + e.getKey());
                continue;
            }
            m.put(e.getKey(), type.get().fromJson(e.getKey(), e.getValue()));
        }
        return new Parameters(m);
    }

    /** Reads a stored params layer leniently: unknown or mistyped entries are reported and dropped. */
    public static Parameters fromStoredJson(Map<String, ?> json, Consumer<String> warnings) {
        TreeMap<String, ParamValue> m = new TreeMap<>();
        for (Map.Entry<String, ?> e : json.entrySet()) {
            Optional<ParamType> type = ParameterSpec.typeOf(e.getKey());
            if (type.isEmpty()) {
                warnings.accept("ignoring stored parameter " + e.getKey());
                continue;
            }
            try {
                m.put(e.getKey(), type.get().fromJson(e.getKey(), e.getValue()));
            } catch (ParameterException bad) {
                warnings.accept("ignoring stored parameter: " + bad.getMessage());
            }
        }
        return new Parameters(m);
    }

    /**
     * The {@code parameters} text of {@code /api/show}: one line per value, the name padded to 30 columns, then
     * the value (strings Go-quoted); lines joined by {@code \n}.
     */
    public String showText() {
        List<String> lines = new ArrayList<>();
        values.forEach((k, v) -> {
            for (String s : v.modelfileValues()) {
                String shown = v instanceof ParamValue.StringList ? GoFormat.quote(s) : s;
                lines.add(String.format("%-30s %s", k, shown));
            }
        });
        return String.join("\n", lines);
    }
}
