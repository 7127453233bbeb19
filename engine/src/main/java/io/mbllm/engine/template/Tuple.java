package io.mbllm.engine.template;

import java.util.AbstractList;
import java.util.List;

/** An immutable Python tuple: behaves as a list for reading, prints as {@code (a, b)}. */
final class Tuple extends AbstractList<Object> {
    private final Object[] items;

    Tuple(Object... items) { this.items = items; }

    static Tuple of(List<?> items) { return new Tuple(items.toArray()); }

    @Override public Object get(int index) { return items[index]; }

    @Override public int size() { return items.length; }
}
