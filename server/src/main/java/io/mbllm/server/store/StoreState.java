package io.mbllm.server.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Process-wide state of one store root, shared by every {@link ModelStore} opened on it: the lock around
 * manifest writes and blob removal, and the pin counts of blobs an unfinished {@link ModelBuilder} uses (which
 * delete and prune must not remove).
 */
final class StoreState {
    private static final Map<Path, StoreState> BY_ROOT = new ConcurrentHashMap<>();

    final ReentrantLock lock = new ReentrantLock();
    private final Map<Digest, Integer> pins = new HashMap<>();

    private StoreState() {
    }

    static StoreState of(Path root) throws IOException {
        return BY_ROOT.computeIfAbsent(root.toRealPath(), r -> new StoreState());
    }

    void pin(Digest d) {
        synchronized (pins) {
            pins.merge(d, 1, Integer::sum);
        }
    }

    void unpin(Digest d) {
        synchronized (pins) {
            pins.computeIfPresent(d, (k, n) -> n == 1 ? null : n - 1);
        }
    }

    boolean pinned(Digest d) {
        synchronized (pins) {
            return pins.containsKey(d);
        }
    }
}
