package io.mbllm.engine.oracle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The folder where the oracle tests keep the big model files they make ({@code ~/.cache/mbllm/oracle}), and
 * SHA-256 sidecars so a verified file is not hashed again.
 *
 * <p>Root: system property {@code mbllm.cache}, else environment variable {@code MBLLM_CACHE}, else
 * {@code ~/.cache/mbllm}; the oracle files live in its {@code oracle/} sub-folder.
 *
 * <p>A sidecar {@code <file>.sha256} holds {@code <hex> <size> <mtime-millis>}; it is trusted only while the
 * file still has that size and modification time.
 */
final class OracleCache {
    private OracleCache() {}

    /** The oracle cache folder (created when missing). */
    static Path dir() throws IOException {
        String prop = System.getProperty("mbllm.cache");
        String env = System.getenv("MBLLM_CACHE");
        Path root = prop != null && !prop.isBlank() ? Path.of(prop)
                : env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "mbllm");
        return Files.createDirectories(root.resolve("oracle"));
    }

    /** The SHA-256 recorded in the sidecar of {@code file}, when the sidecar still describes the file. */
    static Optional<String> recorded(Path file) throws IOException {
        Path side = sidecar(file);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(side)) return Optional.empty();
        String[] f = Files.readString(side, StandardCharsets.UTF_8).trim().split("\\s+");
        if (f.length != 3) return Optional.empty();
        try {
            if (Long.parseLong(f[1]) != Files.size(file)
                    || Long.parseLong(f[2]) != Files.getLastModifiedTime(file).toMillis()) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.of(f[0]);
    }

    /** Writes the sidecar of {@code file} with {@code sha256}. */
    static void record(Path file, String sha256) throws IOException {
        String line = sha256 + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis() + "\n";
        Path side = sidecar(file);
        Path tmp = side.resolveSibling(side.getFileName() + ".tmp");
        Files.writeString(tmp, line, StandardCharsets.UTF_8);
        Files.move(tmp, side, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** The SHA-256 of {@code file}: from a valid sidecar, else computed (and the sidecar written). */
    static String sha256(Path file) throws IOException {
        Optional<String> known = recorded(file);
        if (known.isPresent()) return known.get();
        String h = hashFile(file);
        record(file, h);
        return h;
    }

    /** Hashes the whole file. */
    static String hashFile(Path file) throws IOException {
        MessageDigest md = newSha256();
        ByteBuffer buf = ByteBuffer.allocateDirect(8 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static Path sidecar(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
