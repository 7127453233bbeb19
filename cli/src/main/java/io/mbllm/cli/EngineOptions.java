package io.mbllm.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelLoadException;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.MatMuls;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.ReferenceMatMul;
import io.mbllm.kernels.nativ.NativeKernels;
import io.mbllm.kernels.nativ.NativeMatMul;
import io.mbllm.kernels.vector.VectorMatMul;
import picocli.CommandLine.Option;

/**
 * The options shared by commands that run a model ({@code -t}, {@code --kernels}), a picocli mixin, and the
 * model opening with its error messages.
 */
final class EngineOptions {
    /** {@code --kernels}: which matrix-multiplication implementation runs. */
    enum Kernels {
        NATIVE, VECTOR, REFERENCE, AUTO;

        /**
         * A kernel for one context: {@code auto} is {@link MatMuls#best}; {@code native} fails with the reason
         * when the native library is not loaded.
         */
        MatMul create(Parallel pool) throws CliException {
            return switch (this) {
                case AUTO -> MatMuls.best(pool);
                case NATIVE -> {
                    if (!NativeKernels.isAvailable()) {
                        throw new CliException(2, "--kernels native: not available here ("
                                + NativeKernels.unavailableReason().orElse("unknown reason") + "); use vector, reference or auto");
                    }
                    yield MatMuls.named("native", pool);
                }
                case VECTOR -> MatMuls.named("vector", pool);
                case REFERENCE -> MatMuls.named("reference", pool);
            };
        }

        /** The name of the implementation that runs, for reports. */
        static String label(MatMul m) {
            return switch (m) {
                case NativeMatMul x -> "native";
                case VectorMatMul x -> "vector";
                case ReferenceMatMul x -> "reference";
                default -> m.getClass().getSimpleName();
            };
        }
    }

    /** A failure to report on stderr with an exit status. */
    static final class CliException extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        CliException(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads (default: all cores, ${DEFAULT-VALUE}).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--kernels", paramLabel = "K",
            description = "Matrix kernels: native, vector, reference or auto (default: ${DEFAULT-VALUE}).")
    Kernels kernels = Kernels.AUTO;

    /** A pool of {@code -t} threads. */
    Parallel pool() throws CliException {
        if (threads < 1) throw new CliException(2, "-t must be at least 1: " + threads);
        return new Parallel(threads);
    }

    /** Opens the model at {@code path}, turning every failure into a one-line reason. */
    static Model openModel(Path path) throws CliException {
        try {
            return Model.open(path);
        } catch (NoSuchFileException e) {
            throw new CliException(1, path + ": no such file");
        } catch (GgufFormatException e) {
            throw new CliException(1, path + ": not a valid GGUF file: " + e.getMessage());
        } catch (ModelLoadException e) {
            throw new CliException(1, path + ": " + e.getMessage());
        } catch (IOException e) {
            throw new CliException(1, path + ": " + e.getMessage());
        }
    }
}
