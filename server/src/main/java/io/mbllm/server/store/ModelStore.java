package io.mbllm.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mbllm.server.modelfile.Message;
import io.mbllm.server.modelfile.Parameters;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The on-disk model store, layout-compatible with Ollama's {@code $OLLAMA_MODELS} (modelfile.md §7):
 * {@code manifests/<host>/<namespace>/<model>/<tag>} (JSON manifests) and {@code blobs/sha256-<hex>}
 * (content-addressed layers and configs).
 *
 * <p>Consistency: blobs and manifests are written to a temp file in their own directory, fsynced and renamed
 * atomically; a model's manifest is written last ({@link ModelBuilder#commit}), so a create that dies midway
 * leaves no manifest. {@link #open} removes temp files whose writer died. Within one process, manifest
 * writes, copies, deletes and blob pruning are serialised by a lock per store root, and blobs of unfinished
 * creates are pinned against removal.
 *
 * <p>Names are looked up case-insensitively per part (the on-disk spelling is kept); writing a name that
 * differs only in case from a stored one is refused ({@link NameConflictException}).
 */
public final class ModelStore {
    private static final System.Logger LOG = System.getLogger(ModelStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Largest manifest or config blob read. */
    static final long MAX_JSON_BYTES = 4L << 20;
    /** Largest template/system/license/params/messages layer read. */
    static final long MAX_TEXT_BYTES = 64L << 20;

    private final Path root;
    private final Path manifests;
    private final BlobStore blobs;
    private final StoreState state;

    /** Test hook: called with a point name ({@code "before-manifest-rename"}) during a write. */
    volatile Consumer<String> crashPoint = p -> { };

    private ModelStore(Path root, StoreState state) {
        this.root = root;
        this.manifests = root.resolve("manifests");
        this.state = state;
        this.blobs = new BlobStore(root.resolve("blobs"), state);
    }

    /** The store root from {@code MBLLM_MODELS}, else {@code ~/.mbllm/models}. */
    public static Path defaultRoot() {
        return defaultRoot(System.getenv(), System.getProperty("user.home"));
    }

    /** The store root from {@code MBLLM_MODELS} of {@code env}, else {@code home/.mbllm/models}. */
    public static Path defaultRoot(Map<String, String> env, String home) {
        String v = env.get("MBLLM_MODELS");
        if (v != null && !v.isBlank()) {
            if (v.equals("~") || v.startsWith("~/")) {
                return Path.of(home, v.substring(1));
            }
            return Path.of(v);
        }
        return Path.of(home, ".mbllm", "models");
    }

    /** Opens (creating if needed) the store at {@code root} and removes orphan temp files. */
    public static ModelStore open(Path root) throws IOException {
        Files.createDirectories(root.resolve("blobs"));
        Files.createDirectories(root.resolve("manifests"));
        ModelStore s = new ModelStore(root.toAbsolutePath().normalize(), StoreState.of(root));
        int n = s.cleanOrphans(Instant.now());
        if (n > 0) {
            LOG.log(System.Logger.Level.INFO, "removed {0} orphan temp file(s) from {1}", n, root);
        }
        return s;
    }

    /** The store root. */
    public Path root() {
        return root;
    }

    /** The blobs of this store. */
    public BlobStore blobs() {
        return blobs;
    }

    StoreState state() {
        return state;
    }

    /** Starts assembling a new model; close the builder when done (try-with-resources). */
    public ModelBuilder newModel() {
        return new ModelBuilder(this);
    }

    // ---- names and manifests -----------------------------------------------------------------------------

    /** Every stored name (exactly four levels under {@code manifests/}; hidden and invalid entries skipped). */
    public List<ModelName> names() throws IOException {
        List<ModelName> out = new ArrayList<>();
        for (Path h : dirs(manifests)) {
            for (Path ns : dirs(h)) {
                for (Path m : dirs(ns)) {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(m)) {
                        for (Path t : ds) {
                            String tag = t.getFileName().toString();
                            if (tag.startsWith(".") || !Files.isRegularFile(t)) {
                                continue;
                            }
                            try {
                                out.add(new ModelName(h.getFileName().toString(), ns.getFileName().toString(),
                                        m.getFileName().toString(), tag));
                            } catch (IllegalArgumentException invalid) {
                                LOG.log(System.Logger.Level.WARNING, "skipping invalid manifest path {0}", t);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static List<Path> dirs(Path d) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".") && Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        } catch (NoSuchFileException gone) {
            // removed concurrently
        }
        return out;
    }

    /** The stored spelling of {@code name} (exact first, then case-insensitive), if stored. */
    public Optional<ModelName> resolve(ModelName name) throws IOException {
        if (Files.isRegularFile(name.manifestPath(manifests))) {
            return Optional.of(name);
        }
        for (ModelName n : names()) {
            if (n.equalsIgnoreCase(name)) {
                return Optional.of(n);
            }
        }
        return Optional.empty();
    }

    /** True when a model of that name (case-insensitively) is stored. */
    public boolean exists(ModelName name) throws IOException {
        return resolve(name).isPresent();
    }

    /** The manifest of {@code name}. */
    public Manifest manifest(ModelName name) throws StoreException, IOException {
        ModelName n = resolve(name).orElseThrow(() -> new ModelNotFoundException(name.displayShortest()));
        return Manifest.parse(readManifestBytes(n), n.toString());
    }

    private byte[] readManifestBytes(ModelName n) throws StoreException, IOException {
        Path p = n.manifestPath(manifests);
        try {
            long size = Files.size(p);
            if (size > MAX_JSON_BYTES) {
                throw new CorruptStoreException("manifest " + n + " is too large (" + size + " bytes)");
            }
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new ModelNotFoundException(n.displayShortest());
        }
    }

    // ---- list / show -----------------------------------------------------------------------------------------

    /**
     * Every model with size, manifest digest, mtime and details, newest first. Models whose manifest or config
     * cannot be read are skipped (and logged).
     */
    public List<ModelSummary> list() throws IOException {
        List<ModelSummary> out = new ArrayList<>();
        for (ModelName n : names()) {
            try {
                byte[] bytes = readManifestBytes(n);
                Manifest m = Manifest.parse(bytes, n.toString());
                ModelConfig c = readConfig(m);
                out.add(new ModelSummary(n, mtime(n), m.totalSize(), Digest.of(bytes).hex(), ModelDetails.of(c, "")));
            } catch (StoreException e) {
                LOG.log(System.Logger.Level.WARNING, "skipping model {0}: {1}", n, e.getMessage());
            }
        }
        out.sort(Comparator.comparing(ModelSummary::modifiedAt).reversed()
                .thenComparing(s -> s.name().toString()));
        return out;
    }

    /** The model with its small layers read (template, system, params, licenses, messages) and blob paths. */
    public StoredModel show(ModelName name) throws StoreException, IOException {
        ModelName n = resolve(name).orElseThrow(() -> new ModelNotFoundException(name.displayShortest()));
        byte[] bytes = readManifestBytes(n);
        Manifest m = Manifest.parse(bytes, n.toString());
        ModelConfig config = readConfig(m);
        String template = null;
        String system = null;
        Parameters params = Parameters.EMPTY;
        List<String> licenses = new ArrayList<>();
        List<Message> messages = List.of();
        List<Path> projectors = new ArrayList<>();
        List<Path> adapters = new ArrayList<>();
        for (Layer l : m.layers()) {
            Optional<LayerKind> kind = l.kind();
            if (kind.isEmpty()) {
                continue;
            }
            switch (kind.get()) {
                case TEMPLATE, PROMPT -> template = text(l);
                case SYSTEM -> system = text(l);
                case LICENSE -> licenses.add(text(l));
                case PARAMS -> params = readParams(l);
                case MESSAGES -> messages = readMessages(l);
                case PROJECTOR -> projectors.add(blobs.path(l.digest()));
                case ADAPTER -> adapters.add(blobs.path(l.digest()));
                default -> { }
            }
        }
        Optional<Layer> model = m.modelLayer();
        return new StoredModel(n, m, Digest.of(bytes).hex(), mtime(n), config,
                ModelDetails.of(config, model.map(Layer::from).orElse("")),
                model.map(l -> blobs.path(l.digest())), projectors, adapters, Optional.ofNullable(template),
                Optional.ofNullable(system), params, licenses, messages);
    }

    private Instant mtime(ModelName n) throws IOException {
        return Files.getLastModifiedTime(n.manifestPath(manifests)).toInstant();
    }

    private ModelConfig readConfig(Manifest m) throws StoreException, IOException {
        return ModelConfig.parse(blobs.readSmall(m.config().digest(), MAX_JSON_BYTES), m.config().digest().toString());
    }

    private String text(Layer l) throws StoreException, IOException {
        return new String(blobs.readSmall(l.digest(), MAX_TEXT_BYTES), StandardCharsets.UTF_8);
    }

    private Parameters readParams(Layer l) throws StoreException, IOException {
        try {
            Map<String, Object> map = JSON.readValue(blobs.readSmall(l.digest(), MAX_TEXT_BYTES),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
            return Parameters.fromStoredJson(map == null ? Map.of() : map,
                    w -> LOG.log(System.Logger.Level.WARNING, "{0}: {1}", l.digest(), w));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new CorruptStoreException("params layer " + l.digest() + " is not a JSON object", e);
        }
    }

    private List<Message> readMessages(Layer l) throws StoreException, IOException {
        try {
            JsonNode arr = JSON.readTree(blobs.readSmall(l.digest(), MAX_TEXT_BYTES));
            if (arr == null || !arr.isArray()) {
                throw new CorruptStoreException("messages layer " + l.digest() + " is not a JSON array");
            }
            List<Message> out = new ArrayList<>();
            for (JsonNode n : arr) {
                out.add(new Message(n.path("role").asText(""), n.path("content").asText("")));
            }
            return out;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new CorruptStoreException("messages layer " + l.digest() + " is not valid JSON", e);
        }
    }

    // ---- writes ----------------------------------------------------------------------------------------------

    /**
     * Writes {@code m} under {@code name} atomically, then deletes the blobs of a replaced manifest that nothing
     * references any more.
     */
    void writeManifest(ModelName name, Manifest m) throws StoreException, IOException {
        state.lock.lock();
        try {
            checkNoCaseClash(name);
            for (Digest d : m.blobs()) {
                if (!blobs.exists(d)) {
                    throw new BlobNotFoundException(d);
                }
            }
            Manifest old = readIfPresent(name);
            writeAtomically(name.manifestPath(manifests), m.toBytes());
            if (old != null) {
                removeUnreferenced(old.blobs());
            }
        } finally {
            state.lock.unlock();
        }
    }

    /** Copies the manifest bytes of {@code source} to {@code destination} (blobs shared). */
    public void copy(ModelName source, ModelName destination) throws StoreException, IOException {
        state.lock.lock();
        try {
            ModelName src = resolve(source).orElseThrow(() -> new ModelNotFoundException(source.displayShortest()));
            byte[] bytes = readManifestBytes(src);
            Manifest.parse(bytes, src.toString());
            if (src.equals(destination)) {
                return;
            }
            checkNoCaseClash(destination);
            Manifest old = readIfPresent(destination);
            writeAtomically(destination.manifestPath(manifests), bytes);
            if (old != null) {
                removeUnreferenced(old.blobs());
            }
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Deletes the model: its manifest, the directories left empty, and every blob of it that no remaining
     * manifest references.
     */
    public void delete(ModelName name) throws StoreException, IOException {
        state.lock.lock();
        try {
            ModelName n = resolve(name).orElseThrow(() -> new ModelNotFoundException(name.displayShortest()));
            Set<Digest> blobsOfModel;
            try {
                blobsOfModel = Manifest.parse(readManifestBytes(n), n.toString()).blobs();
            } catch (CorruptStoreException e) {
                blobsOfModel = Set.of(); // a damaged manifest is still removable
            }
            Path p = n.manifestPath(manifests);
            Files.delete(p);
            BlobStore.fsyncDir(p.getParent());
            for (Path d = p.getParent(); !d.equals(manifests); d = d.getParent()) {
                try {
                    Files.delete(d);
                } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                    break;
                }
            }
            removeUnreferenced(blobsOfModel);
        } finally {
            state.lock.unlock();
        }
    }

    /**
     * Deletes every blob no manifest references, not pinned by a running create, and last modified more than
     * {@code minAge} ago (Ollama prunes at start with one hour). Does nothing if any manifest is unreadable.
     * Returns how many blobs were deleted.
     */
    public int pruneUnreferencedBlobs(Duration minAge) throws IOException {
        state.lock.lock();
        try {
            Optional<Set<Digest>> used = referencedBlobs();
            if (used.isEmpty()) {
                return 0;
            }
            Instant cutoff = Instant.now().minus(minAge);
            int n = 0;
            for (Digest d : blobs.list()) {
                if (!used.get().contains(d) && !state.pinned(d)
                        && Files.getLastModifiedTime(blobs.path(d)).toInstant().isBefore(cutoff) && blobs.delete(d)) {
                    n++;
                }
            }
            return n;
        } finally {
            state.lock.unlock();
        }
    }

    /** Removes orphan temp files in blobs/ and manifests/ (see {@link TempFiles}); returns how many. */
    int cleanOrphans(Instant now) throws IOException {
        int n = blobs.cleanOrphans(now);
        try (var walk = Files.walk(manifests, 4)) {
            for (Path p : walk.filter(Files::isRegularFile).filter(TempFiles::isTemp).toList()) {
                if (TempFiles.isOrphan(p, now) && Files.deleteIfExists(p)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The blobs every manifest references, or empty when some manifest cannot be read. */
    private Optional<Set<Digest>> referencedBlobs() throws IOException {
        Set<Digest> used = new HashSet<>();
        for (ModelName n : names()) {
            try {
                used.addAll(Manifest.parse(readManifestBytes(n), n.toString()).blobs());
            } catch (ModelNotFoundException gone) {
                // deleted meanwhile
            } catch (StoreException e) {
                LOG.log(System.Logger.Level.WARNING, "not removing blobs: {0}", e.getMessage());
                return Optional.empty();
            }
        }
        return Optional.of(used);
    }

    private void removeUnreferenced(Set<Digest> candidates) throws IOException {
        Optional<Set<Digest>> used = referencedBlobs();
        if (used.isEmpty()) {
            return;
        }
        for (Digest d : candidates) {
            if (!used.get().contains(d) && !state.pinned(d)) {
                blobs.delete(d);
            }
        }
    }

    private Manifest readIfPresent(ModelName name) throws IOException {
        if (!Files.isRegularFile(name.manifestPath(manifests))) {
            return null;
        }
        try {
            return Manifest.parse(readManifestBytes(name), name.toString());
        } catch (StoreException e) {
            return null; // unreadable: its blobs are left for the prune
        }
    }

    private void checkNoCaseClash(ModelName name) throws IOException, NameConflictException {
        for (ModelName n : names()) {
            if (n.equalsIgnoreCase(name) && !n.equals(name)) {
                throw new NameConflictException(n);
            }
        }
    }

    private void writeAtomically(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = TempFiles.create(target.getParent());
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                var bb = java.nio.ByteBuffer.wrap(bytes);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                ch.force(true);
            }
            BlobStore.setMode0644(tmp);
            crashPoint.accept("before-manifest-rename");
            BlobStore.moveAtomically(tmp, target);
            moved = true;
            BlobStore.fsyncDir(target.getParent());
        } finally {
            if (!moved) {
                TempFiles.deleteQuietly(tmp);
            }
        }
    }
}
