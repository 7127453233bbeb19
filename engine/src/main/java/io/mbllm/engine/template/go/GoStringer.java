package io.mbllm.engine.template.go;

/**
 * A value with a Go {@code String() string} method: printing it in a template (and the {@code %v %s %q %x}
 * verbs) uses {@link #goString()} instead of the default Go formatting.
 */
public interface GoStringer {
    /** The text Go's fmt package would print for this value. */
    String goString();
}
