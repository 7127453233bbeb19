package io.mbllm.engine.model;

import java.util.List;

/**
 * One GGUF metadata value as the engine sees it, with its exact on-disk type ({@code shared/docs/gguf.md} §1),
 * so that configuration keys can be type-checked the way llama.cpp does.
 */
public sealed interface MetaValue {
    /** GGUF value types, in id order. */
    enum Kind { UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 }

    /** The on-disk type of this value. */
    Kind kind();

    /** An integer (any width, signedness in {@code kind}) or floating-point scalar. */
    record Num(Kind kind, Number value) implements MetaValue {
        public Num {
            if (kind == Kind.BOOL || kind == Kind.STRING || kind == Kind.ARRAY) {
                throw new IllegalArgumentException("not a numeric kind: " + kind);
            }
        }
    }

    /** A boolean. */
    record Bool(boolean value) implements MetaValue {
        @Override
        public Kind kind() { return Kind.BOOL; }
    }

    /** A UTF-8 string. */
    record Text(String value) implements MetaValue {
        @Override
        public Kind kind() { return Kind.STRING; }
    }

    /** An array of values that all have {@code elementKind}. */
    record Array(Kind elementKind, List<MetaValue> elements) implements MetaValue {
        @Override
        public Kind kind() { return Kind.ARRAY; }
    }

    /** A short description of the type, e.g. {@code UINT32} or {@code ARRAY<INT32>}. */
    default String typeName() {
        return this instanceof Array a ? "ARRAY<" + a.elementKind() + ">" : kind().name();
    }
}
