package io.mbllm.kernels;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

import io.mbllm.kernels.nativ.NativeKernels;
import io.mbllm.kernels.nativ.NativeMatMul;

class MatMulsTest {

    @Test
    void withoutNativeLibraryTheJavaPathIsChosen() {
        try (Parallel p = new Parallel(1)) {
            assertInstanceOf(ReferenceMatMul.class, MatMuls.choose(false, p));
        }
    }

    @Test
    void bestIsNativeWhenLoaded() {
        try (Parallel p = new Parallel(1)) {
            MatMul best = MatMuls.best(p);
            if (NativeKernels.isAvailable()) assertInstanceOf(NativeMatMul.class, best);
            else assertInstanceOf(ReferenceMatMul.class, best);
        }
    }

    @Test
    void named() {
        try (Parallel p = new Parallel(1)) {
            assertInstanceOf(ReferenceMatMul.class, MatMuls.named("reference", p));
            assertThrows(IllegalArgumentException.class, () -> MatMuls.named("fastest", p));
            if (NativeKernels.isAvailable()) assertInstanceOf(NativeMatMul.class, MatMuls.named(" Native ", p));
            else assertThrows(IllegalStateException.class, () -> MatMuls.named("native", p));
        }
    }
}
