package io.mbllm.server.sched;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.mbllm.server.api.ApiException;
import io.mbllm.server.api.Message;
import io.mbllm.server.store.ModelNotFoundException;
import io.mbllm.server.store.ModelStore;
import io.mbllm.server.store.ModelSummary;
import io.mbllm.server.store.NameConflictException;
import io.mbllm.server.store.StoreException;
import io.mbllm.server.store.StoredModel;

/** The on-disk {@link ModelStore} as the server's {@link ModelResolver}. Models without weights are not listed. */
public final class StoreModelResolver implements ModelResolver {
    private static final System.Logger LOG = System.getLogger(StoreModelResolver.class.getName());

    private final ModelStore store;

    public StoreModelResolver(ModelStore store) {
        this.store = store;
    }

    public ModelStore store() {
        return store;
    }

    @Override
    public Optional<ResolvedModel> resolve(ModelRef name) throws IOException {
        Optional<io.mbllm.server.store.ModelName> stored = store.resolve(name.toModelName());
        if (stored.isEmpty()) return Optional.empty();
        try {
            return toResolved(store.show(stored.get()));
        } catch (ModelNotFoundException e) {
            return Optional.empty();
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Optional<ResolvedModel> toResolved(StoredModel m) {
        if (m.modelPath().isEmpty()) return Optional.empty();
        List<Message> messages = new ArrayList<>();
        for (io.mbllm.server.modelfile.Message x : m.messages()) {
            messages.add(new Message(x.role(), x.content(), null, null, null, null, null));
        }
        List<ResolvedModel.Adapter> adapters = new ArrayList<>();
        List<Float> scales = m.adapterScales();
        for (int i = 0; i < m.adapterPaths().size(); i++) {
            adapters.add(new ResolvedModel.Adapter(m.adapterPaths().get(i), scales.get(i)));
        }
        return Optional.of(new ResolvedModel(ModelRef.of(m.name()), m.modelPath().get(), m.template().orElse(null),
                m.system().orElse(null), m.parameters().toJsonMap(), messages, m.licenses(), m.digest(), m.modifiedAt(),
                m.size(), adapters));
    }

    @Override
    public List<ResolvedModel> list() throws IOException {
        List<ResolvedModel> out = new ArrayList<>();
        for (ModelSummary s : store.list()) {
            try {
                toResolved(store.show(s.name())).ifPresent(out::add);
            } catch (StoreException e) {
                LOG.log(System.Logger.Level.WARNING, "skipping {0}: {1}", s.displayName(), e.getMessage());
            }
        }
        return out;
    }

    @Override
    public boolean copy(ModelRef source, ModelRef destination) throws IOException {
        try {
            store.copy(source.toModelName(), destination.toModelName());
            return true;
        } catch (ModelNotFoundException e) {
            return false;
        } catch (NameConflictException e) {
            throw ApiException.badRequest(e.getMessage());
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public boolean delete(ModelRef name) throws IOException {
        try {
            store.delete(name.toModelName());
            return true;
        } catch (ModelNotFoundException e) {
            return false;
        } catch (StoreException e) {
            throw new IOException(e.getMessage(), e);
        }
    }
}
