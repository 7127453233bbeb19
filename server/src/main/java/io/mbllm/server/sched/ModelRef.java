package io.mbllm.server.sched;

import java.util.Locale;

import io.mbllm.server.store.InvalidModelNameException;
import io.mbllm.server.store.ModelName;

/**
 * A model name in Ollama's grammar {@code [host/][namespace/]model[:tag]} (api-contract §0.2), with the
 * defaults filled in. Lookup is case-insensitive ({@link #key()}); {@link #display()} is the shortest form.
 * Validation is the store's ({@link ModelName}); this record is the scheduler's key.
 */
public record ModelRef(String host, String namespace, String model, String tag) {
    public static final String DEFAULT_HOST = "registry.ollama.ai";
    public static final String DEFAULT_NAMESPACE = "library";
    public static final String DEFAULT_TAG = "latest";

    /**
     * Parses and validates a name with the model store's grammar ({@link ModelName}).
     *
     * @throws IllegalArgumentException when the name does not fit the grammar
     */
    public static ModelRef parse(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("invalid model name");
        try {
            return of(ModelName.parse(name));
        } catch (InvalidModelNameException | IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid model name");
        }
    }

    /** The same name as the store's type. */
    public static ModelRef of(ModelName n) {
        return new ModelRef(n.host(), n.namespace(), n.model(), n.tag());
    }

    /** This name as the store's type. */
    public ModelName toModelName() {
        return new ModelName(host, namespace, model, tag);
    }

    /** Whether {@code name} fits the grammar. */
    public static boolean isValid(String name) {
        try {
            parse(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The case-folded full name, for lookups. */
    public String key() {
        return (host + "/" + namespace + "/" + model + ":" + tag).toLowerCase(Locale.ROOT);
    }

    /** Shortest display form: default host and namespace dropped, tag always shown. */
    public String display() {
        boolean defHost = host.equalsIgnoreCase(DEFAULT_HOST), defNs = namespace.equalsIgnoreCase(DEFAULT_NAMESPACE);
        if (defHost && defNs) return model + ":" + tag;
        if (defHost) return namespace + "/" + model + ":" + tag;
        return host + "/" + namespace + "/" + model + ":" + tag;
    }

    @Override
    public String toString() {
        return host + "/" + namespace + "/" + model + ":" + tag;
    }
}
