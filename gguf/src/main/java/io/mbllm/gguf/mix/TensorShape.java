package io.mbllm.gguf.mix;

import java.util.Arrays;

/**
 * A tensor's name and dimensions ({@code ne}, innermost first, as many as listed in the file). Missing
 * trailing dimensions count as 1.
 */
public record TensorShape(String name, long[] ne) {
    public TensorShape {
        if (name == null) throw new IllegalArgumentException("tensor name is null");
        if (ne == null || ne.length == 0 || ne.length > 4) throw new IllegalArgumentException(name + ": 1 to 4 dimensions expected");
        ne = ne.clone();
    }

    /** Shape from dimensions given innermost first. */
    public static TensorShape of(String name, long... ne) {
        return new TensorShape(name, ne);
    }

    /** Dimension {@code i} (1 beyond the listed ones). */
    public long ne(int i) {
        return i < ne.length ? ne[i] : 1;
    }

    /** The dimensions (a copy). */
    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** ggml's {@code ggml_n_dims}: index of the last dimension greater than 1, plus one (at least 1). */
    public int nDims() {
        int n = ne.length;
        while (n > 1 && ne[n - 1] == 1) n--;
        return n;
    }

    /** Number of elements. */
    public long elements() {
        long n = 1;
        for (long d : ne) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Number of rows ({@code elements / ne0}). */
    public long rows() {
        return ne[0] == 0 ? 0 : elements() / ne[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorShape t && t.name.equals(name) && Arrays.equals(t.ne, ne);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(ne);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(ne);
    }
}
