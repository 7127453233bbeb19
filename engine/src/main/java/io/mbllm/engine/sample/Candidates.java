package io.mbllm.engine.sample;

/**
 * The token candidates a sampler chain works on: parallel arrays of id, logit, probability and a scratch sort
 * key, the first {@link #size} entries live. Allocated once for a vocabulary and reused for every token.
 *
 * <p>Order is total: by logit descending, equal logits by id ascending ({@link #BY_LOGIT}); or by the scratch
 * key ascending, equal keys by id ascending ({@link #BY_KEY}). Sorting is in place, without allocation
 * (introselect + quicksort, heapsort when the recursion runs deep).
 */
final class Candidates {
    static final int BY_LOGIT = 0;
    static final int BY_KEY = 1;

    final int[] id;
    final float[] logit;
    final float[] p;
    final float[] key;
    int size;
    /** True when the live entries are in {@link #BY_LOGIT} order. */
    boolean sorted;

    Candidates(int capacity) {
        id = new int[capacity];
        logit = new float[capacity];
        p = new float[capacity];
        key = new float[capacity];
    }

    int capacity() {
        return id.length;
    }

    /** Fills with token {@code i} ↦ {@code logits[i]}; NaN becomes -infinity so that it can never win. */
    void load(float[] logits) {
        int n = logits.length;
        for (int i = 0; i < n; i++) {
            float l = logits[i];
            id[i] = i;
            logit[i] = Float.isNaN(l) ? Float.NEGATIVE_INFINITY : l;
            p[i] = 0f;
        }
        size = n;
        sorted = false;
    }

    /** Sets {@link #p} to the softmax of the live logits (uniform when every logit is -infinity). */
    void softmax() {
        float max = Float.NEGATIVE_INFINITY;
        if (sorted) {
            max = logit[0];
        } else {
            for (int i = 0; i < size; i++) max = Math.max(max, logit[i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            for (int i = 0; i < size; i++) p[i] = 1f / size;
            return;
        }
        float sum = 0f;
        for (int i = 0; i < size; i++) {
            float e = (float) Math.exp(logit[i] - max);
            p[i] = e;
            sum += e;
        }
        for (int i = 0; i < size; i++) p[i] /= sum;
    }

    /** Keeps the first {@code n} entries. */
    void truncate(int n) {
        size = Math.min(size, n);
    }

    /**
     * Puts the {@code k} first entries of the {@code mode} order at the front, themselves in order; the rest
     * follows in no particular order. Sets {@link #sorted} when the mode is {@link #BY_LOGIT} and every live
     * entry is in order.
     */
    void sortFront(int k, int mode) {
        k = Math.min(k, size);
        if (k <= 0) return;
        if (k < size) select(0, size - 1, k, mode);
        sortRange(0, k - 1, mode, depthLimit(k));
        if (mode == BY_LOGIT) {
            sorted = k >= size - 1; // the single entry left behind a full selection is in place too
        } else {
            sorted = false;
        }
    }

    /** Whether entry {@code a} comes before entry {@code b}. */
    boolean before(int a, int b, int mode) {
        if (mode == BY_LOGIT) {
            float la = logit[a], lb = logit[b];
            if (la != lb) return la > lb;
        } else {
            float ka = key[a], kb = key[b];
            if (ka != kb) return ka < kb;
        }
        return id[a] < id[b];
    }

    void swap(int a, int b) {
        int ti = id[a]; id[a] = id[b]; id[b] = ti;
        float t = logit[a]; logit[a] = logit[b]; logit[b] = t;
        t = p[a]; p[a] = p[b]; p[b] = t;
        t = key[a]; key[a] = key[b]; key[b] = t;
    }

    /** Copies entry {@code from} over entry {@code to}. */
    void move(int from, int to) {
        id[to] = id[from];
        logit[to] = logit[from];
        p[to] = p[from];
        key[to] = key[from];
    }

    private static int depthLimit(int n) {
        return 2 * (32 - Integer.numberOfLeadingZeros(Math.max(1, n)));
    }

    /** Rearranges [lo, hi] so that the {@code k} first (in order) entries occupy [lo, lo + k). */
    private void select(int lo, int hi, int k, int mode) {
        int target = lo + k; // first index that must hold a "later" entry
        int budget = depthLimit(hi - lo + 1);
        while (hi > lo) {
            if (budget-- == 0) {
                heapSort(lo, hi, mode);
                return;
            }
            int p = partition(lo, hi, mode);
            if (p == target || p == target - 1) return;
            if (p < target) lo = p + 1; else hi = p - 1;
        }
    }

    private void sortRange(int lo, int hi, int mode, int budget) {
        while (hi - lo > 16) {
            if (budget-- == 0) {
                heapSort(lo, hi, mode);
                return;
            }
            int p = partition(lo, hi, mode);
            if (p - lo < hi - p) {
                sortRange(lo, p - 1, mode, budget);
                lo = p + 1;
            } else {
                sortRange(p + 1, hi, mode, budget);
                hi = p - 1;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            for (int j = i; j > lo && before(j, j - 1, mode); j--) swap(j, j - 1);
        }
    }

    /** Lomuto partition around a median-of-three pivot; returns the pivot's final index. */
    private int partition(int lo, int hi, int mode) {
        int mid = (lo + hi) >>> 1;
        if (before(mid, lo, mode)) swap(mid, lo);
        if (before(hi, lo, mode)) swap(hi, lo);
        if (before(hi, mid, mode)) swap(hi, mid);
        swap(mid, hi); // pivot (the median) at hi
        int store = lo;
        for (int i = lo; i < hi; i++) {
            if (before(i, hi, mode)) swap(i, store++);
        }
        swap(store, hi);
        return store;
    }

    private void heapSort(int lo, int hi, int mode) {
        int n = hi - lo + 1;
        for (int i = n / 2 - 1; i >= 0; i--) siftDown(lo, i, n, mode);
        for (int end = n - 1; end > 0; end--) {
            swap(lo, lo + end);
            siftDown(lo, 0, end, mode);
        }
    }

    /** Max-heap (the entry that comes last in order at the root) over [lo, lo + n). */
    private void siftDown(int lo, int i, int n, int mode) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= n) return;
            int big = l;
            int r = l + 1;
            if (r < n && before(lo + big, lo + r, mode)) big = r;
            if (!before(lo + i, lo + big, mode)) return;
            swap(lo + i, lo + big);
            i = big;
        }
    }
}
