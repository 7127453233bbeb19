package io.mbllm.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Temporary files of in-progress writes: {@code .partial-<pid>-<random>} in the directory of the final file.
 * One is an orphan (left by a crash) when its process is gone, or when it is older than a day (pid reuse). A
 * writer's own temp file of such a file (the GGUF writer's {@code .<name>.<random>.partial}, i.e.
 * {@code ..partial-<pid>-...}) counts as one too: leading dots are ignored.
 */
final class TempFiles {
    static final String PREFIX = ".partial-";
    private static final Duration STALE = Duration.ofDays(1);

    private TempFiles() {
    }

    static Path create(Path dir) throws IOException {
        return Files.createFile(dir.resolve(PREFIX + ProcessHandle.current().pid() + "-" + UUID.randomUUID()));
    }

    static boolean isTemp(Path p) {
        return undotted(p).startsWith(PREFIX.substring(1));
    }

    /** The file name without its leading dots. */
    private static String undotted(Path p) {
        String n = p.getFileName().toString();
        int i = 0;
        while (i < n.length() && n.charAt(i) == '.') i++;
        return n.substring(i);
    }

    /** True when the temp file's writer is certainly gone. */
    static boolean isOrphan(Path p, Instant now) throws IOException {
        String n = undotted(p).substring(PREFIX.length() - 1);
        int dash = n.indexOf('-');
        long pid = -1;
        try {
            pid = Long.parseLong(dash < 0 ? n : n.substring(0, dash));
        } catch (NumberFormatException ignored) {
            // not ours: judged by age alone
        }
        Instant modified = Files.getLastModifiedTime(p).toInstant();
        if (modified.plus(STALE).isBefore(now)) {
            return true;
        }
        if (pid < 0 || pid == ProcessHandle.current().pid()) {
            return pid < 0 && modified.plus(Duration.ofHours(1)).isBefore(now);
        }
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort; cleaned at the next open
        }
    }
}
