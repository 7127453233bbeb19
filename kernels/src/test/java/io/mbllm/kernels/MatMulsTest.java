package io.mbllm.kernels;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

import io.mbllm.kernels.nativ.NativeKernels;
import io.mbllm.kernels.nativ.NativeMatMul;
import io.mbllm.kernels.vector.VectorMatMul;

class MatMulsTest {

    @Test
    void withoutNativeLibraryTheJavaPathIsChosen() {
        try (Parallel p = new Parallel(1)) {
            assertEquals(javaFallback(), MatMuls.choose(false, p).getClass());
        }
    }

    @Test
    void bestIsNativeWhenLoaded() {
        try (Parallel p = new Parallel(1)) {
            MatMul best = MatMuls.best(p);
            if (NativeKernels.isAvailable()) assertInstanceOf(NativeMatMul.class, best);
            else assertEquals(javaFallback(), best.getClass());
        }
    }

    @Test
    void named() {
        try (Parallel p = new Parallel(1)) {
            assertInstanceOf(ReferenceMatMul.class, MatMuls.named("reference", p));
            assertInstanceOf(VectorMatMul.class, MatMuls.named("vector", p));
            assertThrows(IllegalArgumentException.class, () -> MatMuls.named("fastest", p));
            if (NativeKernels.isAvailable()) assertInstanceOf(NativeMatMul.class, MatMuls.named(" Native ", p));
            else assertThrows(IllegalStateException.class, () -> MatMuls.named("native", p));
        }
    }

    /** What {@link MatMuls} picks without the native library. */
    private static Class<?> javaFallback() {
        return VectorMatMul.isAccelerated() ? VectorMatMul.class : ReferenceMatMul.class;
    }
}
