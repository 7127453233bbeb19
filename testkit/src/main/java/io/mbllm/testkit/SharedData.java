package io.mbllm.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the read-only shared test material ({@code ../shared}: docs, golden vectors, small models).
 *
 * <p>Lookup order: system property {@code mbllm.shared}, environment variable {@code MBLLM_SHARED}, then a
 * folder named {@code shared} beside the repository root (or beside any parent of the working directory).
 *
 * <p>Policy of the project: when {@code CI=true} and the data is missing, a test that needs it <b>fails</b>;
 * elsewhere it is skipped with a message that says where the data was looked for.
 */
public final class SharedData {
    private SharedData() {}

    /** The shared folder, or empty when it cannot be found. */
    public static Optional<Path> find() {
        String prop = System.getProperty("mbllm.shared");
        if (prop != null && !prop.isBlank()) return existing(Path.of(prop));
        String env = System.getenv("MBLLM_SHARED");
        if (env != null && !env.isBlank()) return existing(Path.of(env));
        String root = System.getProperty("mbllm.repo.root");
        Path start = root != null && !root.isBlank() ? Path.of(root) : Path.of("").toAbsolutePath();
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (p.getParent() != null && Files.isDirectory(candidate.resolve("testdata"))) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    private static Optional<Path> existing(Path p) {
        return Files.isDirectory(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
    }

    /** True when running under CI ({@code CI=true}), where missing shared data is a failure. */
    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * Resolves a path inside the shared folder, e.g. {@code require("testdata/quant")}. Fails the test under
     * CI when it is missing; skips it (with a clear message) elsewhere.
     */
    public static Path require(String relative) {
        Optional<Path> base = find();
        Path resolved = base.map(b -> b.resolve(relative)).orElse(null);
        if (resolved != null && Files.exists(resolved)) return resolved;
        String msg = "shared test data '" + relative + "' not found"
                + (base.isPresent() ? " under " + base.get() : " (no ../shared beside the repository; set -Dmbllm.shared=DIR or MBLLM_SHARED)");
        if (underCi()) {
            Assertions.fail(msg + " — CI=true, so this is a failure, not a skip");
        }
        Assumptions.abort(msg + " — skipped");
        throw new AssertionError("unreachable");
    }
}
