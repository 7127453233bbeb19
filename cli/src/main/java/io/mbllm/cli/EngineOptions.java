package io.mbllm.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import io.mbllm.engine.model.Model;
import io.mbllm.engine.model.ModelLoadException;
import io.mbllm.gguf.GgufFormatException;
import io.mbllm.kernels.MatMul;
import io.mbllm.kernels.Parallel;
import io.mbllm.kernels.ReferenceMatMul;
import picocli.CommandLine.Option;

/**
 * The options shared by commands that run a model ({@code -t}, {@code --kernels}), a picocli mixin, and the
 * model opening with its error messages.
 */
final class EngineOptions {
    /** {@code --kernels}: which matrix-multiplication implementation runs. */
    enum Kernels {
        NATIVE, VECTOR, REFERENCE, AUTO;

        /** The implementation {@code auto} resolves to in this build. */
        static final Kernels BEST_AVAILABLE = REFERENCE;

        /** What actually runs. */
        Kernels resolved() {
            return this == AUTO ? BEST_AVAILABLE : this;
        }

        String label() {
            return resolved().name().toLowerCase(java.util.Locale.ROOT);
        }

        /** A kernel for one context, or a {@link CliException} when this build has none of that kind. */
        MatMul create(Parallel pool) throws CliException {
            return switch (resolved()) {
                case REFERENCE -> new ReferenceMatMul(pool);
                case NATIVE, VECTOR -> throw new CliException(2, "--kernels " + label()
                        + ": not available in this build; use --kernels reference or auto");
                case AUTO -> throw new AssertionError("resolved");
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
