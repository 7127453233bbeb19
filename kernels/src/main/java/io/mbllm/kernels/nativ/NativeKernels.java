package io.mbllm.kernels.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

import io.mbllm.kernels.ExactMode;

/**
 * Finds and loads the native kernel library ({@code libmbllm_kernels.so}, built from {@code src/main/c} into the
 * jar when a C compiler was present). The library is extracted once to a per-user cache directory named by its
 * hash and opened with {@link SymbolLookup#libraryLookup(Path, Arena)}. Any failure leaves the native kernels
 * unavailable with a reason, logged once; callers then use the Java kernels.
 *
 * <p>System properties: {@code mbllm.native.disable=true} turns the native kernels off;
 * {@code mbllm.native.lib=/path/libmbllm_kernels.so} loads that file instead of the bundled one.
 */
public final class NativeKernels {
    /** Where the build puts the library on the class path. */
    static final String RESOURCE = "/native/linux-x86_64/libmbllm_kernels.so";
    /** The ABI version this Java code was written against ({@code MBLLM_KERNELS_ABI}). */
    static final int ABI = 7;

    private static final System.Logger LOG = System.getLogger(NativeKernels.class.getName());

    private NativeKernels() {}

    /** Result of one load attempt: a lookup, or the reason there is none. */
    record Status(SymbolLookup lookup, String reason) {
        boolean available() {
            return lookup != null;
        }
    }

    private static final class Holder {
        static final Status STATUS = loadAndLog();
    }

    private static Status loadAndLog() {
        Status s = load(RESOURCE);
        if (s.available()) {
            LOG.log(System.Logger.Level.DEBUG, "native kernels loaded");
        } else {
            LOG.log(System.Logger.Level.INFO, "native kernels unavailable, using the Java kernels: " + s.reason());
        }
        return s;
    }

    /** True when the native library is loaded and usable. */
    public static boolean isAvailable() {
        return Holder.STATUS.available();
    }

    /** Why the native kernels are unavailable; empty when they are available. */
    public static Optional<String> unavailableReason() {
        return Optional.ofNullable(Holder.STATUS.reason());
    }

    /** The loaded library's symbols; throws {@link IllegalStateException} with the reason when unavailable. */
    static SymbolLookup lookup() {
        Status s = Holder.STATUS;
        if (!s.available()) throw new IllegalStateException("native kernels unavailable: " + s.reason());
        return s.lookup();
    }

    /** True when the build bundled the library into the class path (a C compiler was found). */
    static boolean bundled() {
        return NativeKernels.class.getResource(RESOURCE) != null;
    }

    /** One load attempt of the class-path resource {@code resource} (package-private for tests). */
    static Status load(String resource) {
        try {
            if (Boolean.getBoolean("mbllm.native.disable")) return new Status(null, "disabled by -Dmbllm.native.disable=true");
            String explicit = System.getProperty("mbllm.native.lib");
            Path lib;
            if (explicit != null && !explicit.isBlank()) {
                lib = Path.of(explicit);
                if (!Files.isRegularFile(lib)) return new Status(null, "-Dmbllm.native.lib=" + explicit + " is not a file");
            } else {
                String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
                String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
                if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
                    return new Status(null, "no native kernels for " + os + "/" + arch);
                }
                byte[] bytes;
                try (InputStream in = NativeKernels.class.getResourceAsStream(resource)) {
                    if (in == null) return new Status(null, "library not bundled (no C compiler when mbllm was built)");
                    bytes = in.readAllBytes();
                }
                lib = extract(bytes);
            }
            SymbolLookup lookup = SymbolLookup.libraryLookup(lib, Arena.global());
            int abi = abi(lookup);
            if (abi != ABI) return new Status(null, lib + " has ABI " + abi + ", expected " + ABI);
            setExact(lookup, ExactMode.ACTIVATIONS);
            return new Status(lookup, null);
        } catch (IOException | RuntimeException | LinkageError e) {
            return new Status(null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Writes the library to {@code <tmpdir>/mbllm-native-<user>/<hash>/} unless an identical copy is there. */
    private static Path extract(byte[] bytes) throws IOException {
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "mbllm-native-" + user, hash);
        Path lib = dir.resolve("libmbllm_kernels.so");
        if (Files.isRegularFile(lib) && Files.size(lib) == bytes.length) return lib;
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "lib", ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return lib;
    }

    /** Puts the library in exact or reference mode ({@code mbllm_set_exact}) before anything else runs. */
    private static void setExact(SymbolLookup lookup, boolean exact) {
        MethodHandle handle = Linker.nativeLinker().downcallHandle(
                lookup.find("mbllm_set_exact").orElseThrow(() -> new UnsatisfiedLinkError("mbllm_set_exact")),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try {
            int unused = (int) handle.invokeExact(exact ? 1 : 0);
        } catch (Throwable t) {
            throw new IllegalStateException("mbllm_set_exact failed", t);
        }
    }

    /** The one call made before {@link mbllm_kernels_h} can be used: the library's ABI version. */
    private static int abi(SymbolLookup lookup) {
        MethodHandle handle = Linker.nativeLinker().downcallHandle(
                lookup.find("mbllm_kernels_abi").orElseThrow(() -> new UnsatisfiedLinkError("mbllm_kernels_abi")),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        try {
            return (int) handle.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("mbllm_kernels_abi failed", t);
        }
    }
}
