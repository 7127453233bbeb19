package io.mbllm.server.store;

import io.mbllm.engine.template.go.GoJson;
import io.mbllm.server.modelfile.Message;
import io.mbllm.server.modelfile.Parameters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Assembles a new model: layers are written (or reused) as blobs one by one, then {@link #commit} writes the
 * config blob and, last and atomically, the manifest. Until then no name refers to the model, so a create
 * that fails midway leaves every listed model as it was; its blobs are orphans for the next prune. The blobs
 * the builder uses are pinned against delete/prune until {@link #close}. Not thread-safe; one per create.
 */
public final class ModelBuilder implements AutoCloseable {
    private final ModelStore store;
    private final List<Layer> layers = new ArrayList<>();
    private final Set<Digest> pinned = new HashSet<>();
    private ModelConfig config;
    private boolean closed;

    ModelBuilder(ModelStore store) {
        this.store = store;
    }

    /**
     * Streams a layer into the store; with {@code expected}, a different SHA-256 is refused
     * ({@link DigestMismatchException}) and nothing is kept. {@code from} may be "".
     */
    public Layer addLayer(String mediaType, InputStream in, Digest expected, String from)
            throws DigestMismatchException, IOException {
        open();
        BlobWrite w = store.blobs().write(in, expected, this);
        return add(new Layer(mediaType, w.digest(), w.size(), from, ""));
    }

    /** Adds a layer of {@code kind} with these bytes. */
    public Layer addLayer(LayerKind kind, byte[] bytes) throws IOException {
        try {
            return addLayer(kind.mediaType(), new java.io.ByteArrayInputStream(bytes), null, "");
        } catch (DigestMismatchException e) {
            throw new IllegalStateException(e); // no expected digest
        }
    }

    /** Adds a text layer (template, system, license): the UTF-8 bytes, no trailing newline. */
    public Layer addText(LayerKind kind, String text) throws IOException {
        return addLayer(kind, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds the params layer (Go JSON, sorted keys, plus {@code \n}). */
    public Layer addParameters(Parameters p) throws IOException {
        return addLayer(LayerKind.PARAMS, p.toLayerBytes());
    }

    /** Adds the messages layer ({@code [{"role":..,"content":..}]} plus {@code \n}). */
    public Layer addMessages(List<Message> messages) throws IOException {
        List<Object> arr = new ArrayList<>();
        for (Message m : messages) {
            arr.add(GoJson.Struct.of("role", m.role(), "content", m.content()));
        }
        try {
            return addLayer(LayerKind.MESSAGES, (GoJson.marshal(arr) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (GoJson.UnsupportedValueException e) {
            throw new IllegalStateException(e); // strings only
        }
    }

    /**
     * Adds a layer whose blob is already stored (an uploaded file, or a base model's layer); its size is taken
     * from the blob.
     */
    public Layer addBlob(String mediaType, Digest digest, String from) throws BlobNotFoundException, IOException {
        open();
        store.state().lock.lock();
        try {
            long size = store.blobs().size(digest);
            pin(digest);
            return add(new Layer(mediaType, digest, size, from, ""));
        } finally {
            store.state().lock.unlock();
        }
    }

    /** Removes every layer of {@code kind} added so far (e.g. a base model's template being replaced). */
    public void removeLayers(LayerKind kind) {
        layers.removeIf(l -> l.mediaType().equals(kind.mediaType()));
    }

    /** Sets the config written at commit ({@code rootfs.diff_ids} is filled in then). */
    public ModelBuilder config(ModelConfig c) {
        this.config = Objects.requireNonNull(c);
        return this;
    }

    /** The layers so far, in order. */
    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    /**
     * Writes the config blob and the manifest under {@code name}, replacing a model of that exact name (whose
     * blobs nothing else uses are then deleted). Fails with {@link NameConflictException} when a model differing
     * only in case exists, and {@link BlobNotFoundException} when a layer's blob vanished meanwhile.
     */
    public StoredModel commit(ModelName name) throws StoreException, IOException {
        open();
        if (config == null) {
            throw new IllegalStateException("config not set");
        }
        byte[] cfg = config.withDiffIds(layers).toBytes();
        BlobWrite cw;
        try {
            cw = store.blobs().write(new java.io.ByteArrayInputStream(cfg), null, this);
        } catch (DigestMismatchException e) {
            throw new IllegalStateException(e);
        }
        Manifest m = Manifest.of(new Layer(LayerKind.CONFIG_MEDIA_TYPE, cw.digest(), cw.size()), layers);
        store.writeManifest(name, m);
        return store.show(name);
    }

    /** Releases the pins on this builder's blobs. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            pinned.forEach(store.state()::unpin);
            pinned.clear();
        }
    }

    void pin(Digest d) {
        if (pinned.add(d)) {
            store.state().pin(d);
        }
    }

    private Layer add(Layer l) {
        layers.add(l);
        return l;
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("builder closed");
        }
    }
}
