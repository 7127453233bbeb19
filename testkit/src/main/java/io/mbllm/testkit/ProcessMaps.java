package io.mbllm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

/**
 * The memory mappings of this process as the kernel lists them in {@code /proc/self/maps} (Linux), for tests that
 * check what native memory is mapped or unmapped: observing the OS rather than trusting our own bookkeeping.
 *
 * @param mappings the areas, sorted by start address
 */
public record ProcessMaps(List<Mapping> mappings) {
    private static final Path MAPS = Path.of("/proc/self/maps");

    /** One area: {@code [start, end)} and the file mapped there ({@code ""} for anonymous memory). */
    public record Mapping(long start, long end, String path) {}

    public ProcessMaps {
        mappings = List.copyOf(mappings);
    }

    /** Skips the calling test where {@code /proc/self/maps} cannot be read (not Linux). */
    public static void assumeSupported() {
        Assumptions.assumeTrue(Files.isReadable(MAPS), "/proc/self/maps is not readable here");
    }

    /** The mappings now. */
    public static ProcessMaps read() {
        List<Mapping> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(MAPS)) {
                // start-end perms offset dev inode [path]
                String[] f = line.trim().split("\\s+", 6);
                int dash = f[0].indexOf('-');
                long start = Long.parseUnsignedLong(f[0], 0, dash, 16), end = Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16);
                out.add(new Mapping(start, end, f.length > 5 ? f[5] : ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparingLong(Mapping::start));
        return new ProcessMaps(out);
    }

    /**
     * True when every byte of {@code [address, address + bytes)} is mapped (by one area or by adjacent ones: the
     * kernel may split an mmap into several areas).
     */
    public boolean covers(long address, long bytes) {
        long next = address, end = address + bytes;
        for (Mapping m : mappings) {
            if (m.end() <= next) continue;
            if (m.start() > next) return false;
            next = m.end();
            if (next >= end) return true;
        }
        return false;
    }

    /** True when some area maps the file {@code file}. */
    public boolean maps(Path file) {
        String p;
        try {
            p = file.toRealPath().toString();
        } catch (IOException e) {
            p = file.toAbsolutePath().toString();
        }
        for (Mapping m : mappings) if (m.path().equals(p)) return true;
        return false;
    }
}
