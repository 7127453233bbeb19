package io.mbllm.kernels;

import java.util.List;
import java.util.Locale;

import io.mbllm.kernels.nativ.NativeKernels;
import io.mbllm.kernels.nativ.NativeMatMul;

/**
 * Picks a {@link MatMul} implementation: {@link #best} for normal use, {@link #named} to force one (CLI flags,
 * benchmarks, tests). The native kernels are used when their library loaded; otherwise the Java path (the
 * reason is logged once by {@link NativeKernels}).
 */
public final class MatMuls {
    /** Names accepted by {@link #named}. */
    public static final List<String> NAMES = List.of("native", "reference");

    private MatMuls() {}

    /** The fastest implementation available here. */
    public static MatMul best(Parallel parallel) {
        return choose(NativeKernels.isAvailable(), parallel);
    }

    static MatMul choose(boolean nativeAvailable, Parallel parallel) {
        // TODO(lead): the Java Vector API kernels (io.mbllm.kernels.vector.VectorMatMul) go between these two.
        return nativeAvailable ? new NativeMatMul(parallel) : new ReferenceMatMul(parallel);
    }

    /**
     * The implementation called {@code name}: {@code native} or {@code reference}.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException    for {@code native} when the native library is unavailable (with the reason)
     */
    public static MatMul named(String name, Parallel parallel) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "native" -> new NativeMatMul(parallel);
            case "reference" -> new ReferenceMatMul(parallel);
            default -> throw new IllegalArgumentException("unknown matmul implementation '" + name + "' (one of " + NAMES + ")");
        };
    }
}
