package io.mbllm.engine.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** Memory figures of the running process, from Linux's {@code /proc/self/status}. */
public final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {}

    /** Peak resident set size ({@code VmHWM}) in bytes; empty where {@code /proc} is not available. */
    public static OptionalLong peakResidentBytes() {
        return field(STATUS, "VmHWM:");
    }

    /** Current resident set size ({@code VmRSS}) in bytes; empty where {@code /proc} is not available. */
    public static OptionalLong residentBytes() {
        return field(STATUS, "VmRSS:");
    }

    /** A {@code NAME:  value kB} line of a status file, in bytes. */
    static OptionalLong field(Path status, String name) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (!line.startsWith(name)) continue;
                String[] f = line.substring(name.length()).trim().split("\\s+");
                long v = Long.parseLong(f[0]);
                long unit = f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024 : 1;
                return OptionalLong.of(v * unit);
            }
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
        return OptionalLong.empty();
    }
}
