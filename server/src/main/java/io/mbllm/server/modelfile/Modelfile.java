package io.mbllm.server.modelfile;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A parsed Modelfile (modelfile.md §1–§4), with the repeat rules already applied: {@code FROM},
 * {@code ADAPTER} (an mbllm extension: Ollama keeps the last), {@code LICENSE}, {@code MESSAGE} and
 * {@code PARAMETER stop} accumulate in order; the others keep the last value.
 *
 * @param from       every {@code FROM} argument in order, as written (model name or unexpanded path); never empty
 * @param adapters   every {@code ADAPTER} argument in order, as written ({@code PATH} or {@code PATH:SCALE}, see
 *                   {@link AdapterLine})
 * @param template   the {@code TEMPLATE} text
 * @param system     the {@code SYSTEM} text
 * @param parameters the typed {@code PARAMETER}s
 * @param licenses   the {@code LICENSE} texts
 * @param messages   the {@code MESSAGE}s
 * @param requires   the {@code REQUIRES} version as written (validated semver)
 */
public record Modelfile(List<String> from, List<String> adapters, Optional<String> template,
        Optional<String> system, Parameters parameters, List<String> licenses, List<Message> messages,
        Optional<String> requires) {

    public Modelfile {
        from = List.copyOf(from);
        if (from.isEmpty()) {
            throw new IllegalArgumentException("a Modelfile needs at least one FROM");
        }
        adapters = List.copyOf(adapters);
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(system, "system");
        Objects.requireNonNull(parameters, "parameters");
        licenses = List.copyOf(licenses);
        messages = List.copyOf(messages);
        Objects.requireNonNull(requires, "requires");
    }

    /** A Modelfile with only {@code FROM from}. */
    public static Modelfile of(String from) {
        return new Modelfile(List.of(from), List.of(), Optional.empty(), Optional.empty(),
                Parameters.EMPTY, List.of(), List.of(), Optional.empty());
    }
}
