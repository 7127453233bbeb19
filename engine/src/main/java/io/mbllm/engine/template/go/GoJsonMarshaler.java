package io.mbllm.engine.template.go;

/**
 * A value that controls its own encoding/json form, like a Go struct with json tags or a type with a
 * {@code MarshalJSON} method. {@link #toJsonValue()} returns a plain value ({@code Map}, {@code List},
 * String, Number, Boolean, null, or another marshaler) that {@link GoJson} then encodes; return a
 * {@link GoJson.Struct} to keep fields in declaration order instead of sorted.
 */
public interface GoJsonMarshaler {
    /** The value to encode in place of this one. */
    Object toJsonValue();
}
