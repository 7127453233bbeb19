package io.mbllm.server.sched;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A model name in Ollama's grammar {@code [host/][namespace/]model[:tag]} (api-contract §0.2), with the
 * defaults filled in. Lookup is case-insensitive ({@link #key()}); {@link #display()} is the shortest form.
 * (A stop-gap until the model store's own name type lands; same rules.)
 */
public record ModelRef(String host, String namespace, String model, String tag) {
    public static final String DEFAULT_HOST = "registry.ollama.ai";
    public static final String DEFAULT_NAMESPACE = "library";
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_-]{0,79}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,349}");

    /**
     * Parses and validates a name.
     *
     * @throws IllegalArgumentException when the name does not fit the grammar
     */
    public static ModelRef parse(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("invalid model name");
        String rest = name;
        String tag = DEFAULT_TAG;
        int slash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > slash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String[] parts = rest.split("/", -1);
        String host = DEFAULT_HOST, ns = DEFAULT_NAMESPACE, model;
        switch (parts.length) {
            case 1 -> model = parts[0];
            case 2 -> { ns = parts[0]; model = parts[1]; }
            case 3 -> { host = parts[0]; ns = parts[1]; model = parts[2]; }
            default -> throw new IllegalArgumentException("invalid model name");
        }
        if (!PART.matcher(model).matches() || !PART.matcher(tag).matches() || !NAMESPACE.matcher(ns).matches()
                || !HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("invalid model name");
        }
        return new ModelRef(host, ns, model, tag);
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
