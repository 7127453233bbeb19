package io.mbllm.engine.template;

import java.util.List;
import java.util.Map;

/** Positional and keyword arguments of a call to a filter, test, method, global or macro. */
record Args(List<Object> positional, Map<String, Object> named) {
    static final Args NONE = new Args(List.of(), Map.of());

    int size() { return positional.size(); }

    /** The argument at position {@code index} or named {@code name}, else {@code dflt}. */
    Object get(int index, String name, Object dflt) {
        if (index >= 0 && index < positional.size()) return positional.get(index);
        if (name != null && named.containsKey(name)) return named.get(name);
        return dflt;
    }

    boolean has(int index, String name) {
        return (index >= 0 && index < positional.size()) || (name != null && named.containsKey(name));
    }

    Object require(int index, String name, String fn) {
        if (!has(index, name)) throw TemplateFailure.runtime(fn + "() missing argument '" + name + "'");
        return get(index, name, null);
    }
}
