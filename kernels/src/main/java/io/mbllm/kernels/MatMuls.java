package io.mbllm.kernels;

import java.util.List;
import java.util.Locale;

import io.mbllm.kernels.nativ.NativeKernels;
import io.mbllm.kernels.nativ.NativeMatMul;
import io.mbllm.kernels.vector.VectorMatMul;

/**
 * Picks a {@link MatMul} implementation: {@link #best} for normal use, {@link #named} to force one (CLI flags,
 * benchmarks, tests). The native kernels are used when their library loaded (otherwise the reason is logged once
 * by {@link NativeKernels}); then the Java Vector API path, or the scalar reference where vectors are emulated.
 */
public final class MatMuls {
    /** Names accepted by {@link #named}. */
    public static final List<String> NAMES = List.of("native", "vector", "reference");

    private MatMuls() {}

    /** The fastest implementation available here. */
    public static MatMul best(Parallel parallel) {
        return choose(NativeKernels.isAvailable(), parallel);
    }

    static MatMul choose(boolean nativeAvailable, Parallel parallel) {
        if (nativeAvailable) return new NativeMatMul(parallel);
        // The Vector API path only pays off where the vectors are real (256 bits or more); emulated it is slower
        // than the scalar reference.
        return VectorMatMul.isAccelerated() ? new VectorMatMul(parallel) : new ReferenceMatMul(parallel);
    }

    /**
     * The implementation called {@code name}: {@code native}, {@code vector} or {@code reference}.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws IllegalStateException    for {@code native} when the native library is unavailable (with the reason)
     */
    public static MatMul named(String name, Parallel parallel) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "native" -> new NativeMatMul(parallel);
            case "vector" -> new VectorMatMul(parallel);
            case "reference" -> new ReferenceMatMul(parallel);
            default -> throw new IllegalArgumentException("unknown matmul implementation '" + name + "' (one of " + NAMES + ")");
        };
    }
}
