package io.mbllm.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the packaged CLI ({@code java -jar cli/target/mbllm.jar ...}) as a subprocess: no stdin, bounded time. */
final class Cli {
    private Cli() {}

    /** Exit code, stdout and stderr (the JVM's incubator-module warning removed). */
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    /** Runs {@code args} in {@code workDir} with {@code env} added, for at most 120 s. */
    static Result run(Path workDir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ServerProcess.java(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-XX:TieredStopAtLevel=1", "-Xmx512m", "-jar", ServerProcess.jar().toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(workDir, "cli-out", ".txt");
        Path err = Files.createTempFile(workDir, "cli-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("MBLLM_") || k.startsWith("OLLAMA_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            fail("mbllm " + String.join(" ", args) + " did not finish in 120 s");
        }
        String e = Files.readString(err, StandardCharsets.UTF_8).replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), e);
    }
}
