package io.mbllm.server.sched;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory {@link ModelResolver}: models registered by name (tests, or every {@code *.gguf} of a folder as
 * {@code <file stem>:latest}). Copy and delete change only the in-memory table.
 */
public final class MemoryModelResolver implements ModelResolver {
    private final Map<String, ResolvedModel> models = new ConcurrentHashMap<>();

    /** Registers a model (replacing one of the same name). */
    public MemoryModelResolver add(ResolvedModel model) {
        models.put(model.ref().key(), model);
        return this;
    }

    /** Registers a GGUF file under {@code name} with no Modelfile layers. */
    public MemoryModelResolver addFile(String name, Path gguf) throws IOException {
        return add(plain(ModelRef.parse(name), gguf));
    }

    /** A resolver with every {@code *.gguf} file of {@code dir} (not recursive); missing folder ⇒ empty. */
    public static MemoryModelResolver ofDirectory(Path dir) throws IOException {
        MemoryModelResolver r = new MemoryModelResolver();
        if (!Files.isDirectory(dir)) return r;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.gguf")) {
            for (Path p : ds) {
                String stem = p.getFileName().toString();
                stem = stem.substring(0, stem.length() - ".gguf".length()).toLowerCase(Locale.ROOT);
                if (ModelRef.isValid(stem)) r.add(plain(ModelRef.parse(stem), p));
            }
        }
        return r;
    }

    private static ResolvedModel plain(ModelRef ref, Path gguf) throws IOException {
        String digest = sha256(gguf.toAbsolutePath().toString() + ":" + Files.size(gguf) + ":" + Files.getLastModifiedTime(gguf));
        return new ResolvedModel(ref, gguf, null, null, Map.of(), List.of(), List.of(), digest,
                Files.getLastModifiedTime(gguf).toInstant(), Files.size(gguf));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public Optional<ResolvedModel> resolve(ModelRef name) {
        return Optional.ofNullable(models.get(name.key()));
    }

    @Override
    public List<ResolvedModel> list() {
        return new ArrayList<>(models.values());
    }

    @Override
    public boolean copy(ModelRef source, ModelRef destination) {
        ResolvedModel m = models.get(source.key());
        if (m == null) return false;
        models.put(destination.key(), m.renamed(destination));
        return true;
    }

    @Override
    public boolean delete(ModelRef name) {
        return models.remove(name.key()) != null;
    }
}
