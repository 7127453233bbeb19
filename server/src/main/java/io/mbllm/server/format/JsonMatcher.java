package io.mbllm.server.format;

import static io.mbllm.server.format.JsonGrammar.ANY;
import static io.mbllm.server.format.JsonGrammar.ARRAY;
import static io.mbllm.server.format.JsonGrammar.FREE_OBJECT;
import static io.mbllm.server.format.JsonGrammar.LITERAL;
import static io.mbllm.server.format.JsonGrammar.NUMBER;
import static io.mbllm.server.format.JsonGrammar.OBJECT;
import static io.mbllm.server.format.JsonGrammar.STRING;

import java.util.Arrays;

/**
 * A pushdown automaton over UTF-8 bytes that accepts exactly the prefixes of outputs matching a
 * {@link JsonGrammar}: {@link #feed} says whether one more byte keeps the text a valid prefix,
 * {@link #canEnd} whether the text is complete. Bounds that keep a greedy model from running away: at most
 * {@value #MAX_WS} whitespace bytes in a row, numbers of at most {@value #MAX_NUMBER} bytes, nesting of at
 * most {@value #MAX_DEPTH} levels; nothing may follow the top-level value. State is a few int arrays, copied
 * with {@link #copyFrom} without allocation.
 */
public final class JsonMatcher {
    static final int MAX_WS = 8;
    static final int MAX_NUMBER = 24;
    static final int MAX_DEPTH = 64;

    // states shared by all kinds
    private static final int START = 0;
    // fixed object
    private static final int O_KEY = 1, O_COLON = 2, O_AFTER = 3, O_CLOSE = 4;
    // free object
    private static final int F_FIRST = 1, F_COLON = 2, F_AFTER = 3, F_KEY = 4;
    // array
    private static final int A_FIRST = 1, A_AFTER = 2;
    // string
    private static final int S_IN = 1, S_ESC = 2, S_HEX = 3;
    // number
    private static final int N_SIGN = 1, N_ZERO = 2, N_INT = 3, N_FRAC0 = 4, N_FRAC = 5, N_EXP0 = 6, N_EXPS = 7, N_EXP = 8;
    // literal
    private static final int L_IN = 1;

    private final JsonGrammar g;
    private final int[] node = new int[MAX_DEPTH], st = new int[MAX_DEPTH], a = new int[MAX_DEPTH],
            b = new int[MAX_DEPTH], c = new int[MAX_DEPTH];
    private int depth;
    private int ws;
    private boolean done;

    /** A matcher at the start of the output. */
    public JsonMatcher(JsonGrammar grammar) {
        this.g = grammar;
        reset();
    }

    /** Back to the start. */
    public void reset() {
        depth = 0;
        ws = 0;
        done = false;
        push(g.root);
    }

    /** Makes this matcher's state equal to {@code o}'s (same grammar). */
    public void copyFrom(JsonMatcher o) {
        int d = o.depth;
        System.arraycopy(o.node, 0, node, 0, d);
        System.arraycopy(o.st, 0, st, 0, d);
        System.arraycopy(o.a, 0, a, 0, d);
        System.arraycopy(o.b, 0, b, 0, d);
        System.arraycopy(o.c, 0, c, 0, d);
        depth = d;
        ws = o.ws;
        done = o.done;
    }

    /** Whether the top-level value is complete (nothing more may follow). */
    public boolean done() {
        return done;
    }

    /** Whether the output may end here. */
    public boolean canEnd() {
        if (done) return true;
        if (depth != 1) return false;
        JsonGrammar.Node n = g.nodes[node[0]];
        return switch (n.kind()) {
            case NUMBER -> numberAccepting(st[0]);
            case LITERAL -> st[0] == L_IN && n.literals()[a[0]].length == c[0];
            default -> false;
        };
    }

    /** Feeds every byte of {@code bytes}; false (state then undefined) when one of them is rejected. */
    public boolean feed(byte[] bytes) {
        for (byte x : bytes) if (!feed(x & 0xFF)) return false;
        return true;
    }

    /** Feeds one byte (0..255); false when it cannot continue a valid output (state then undefined). */
    public boolean feed(int x) {
        while (true) {
            if (done || depth == 0) return false;
            int r = step(depth - 1, x);
            if (r == CONSUMED) return true;
            if (r == REJECT) return false;
            // r == POP_REOFFER: the top value ended before x; x goes to the parent
            pop();
            if (depth == 0) {
                done = true;
                return false;
            }
        }
    }

    private static final int CONSUMED = 0, REJECT = 1, POP_REOFFER = 2;

    private static boolean isWs(int x) {
        return x == ' ' || x == '\n' || x == '\r' || x == '\t';
    }

    private int whitespace() {
        if (ws >= MAX_WS) return REJECT;
        ws++;
        return CONSUMED;
    }

    private boolean push(int nodeId) {
        if (depth == MAX_DEPTH) return false;
        node[depth] = nodeId;
        st[depth] = START;
        a[depth] = 0;
        b[depth] = 0;
        c[depth] = 0;
        depth++;
        return true;
    }

    private boolean pushIn(int nodeId, int state) {
        if (!push(nodeId)) return false;
        st[depth - 1] = state;
        return true;
    }

    /** Ends the value on top; the parent's state already says what comes next. */
    private void pop() {
        depth--;
        if (depth == 0) done = true;
    }

    private int complete() {
        pop();
        return CONSUMED;
    }

    private int step(int i, int x) {
        JsonGrammar.Node n = g.nodes[node[i]];
        int s = st[i];
        if (s == START && n.kind() != ANY) {
            if (isWs(x)) return whitespace();
        }
        int r = switch (n.kind()) {
            case ANY -> any(i, x);
            case OBJECT -> object(i, n, s, x);
            case FREE_OBJECT -> freeObject(i, n, s, x);
            case ARRAY -> array(i, n, s, x);
            case STRING -> string(i, n, s, x);
            case NUMBER -> number(i, n, s, x);
            case LITERAL -> literal(i, n, s, x);
            default -> REJECT;
        };
        if (r == CONSUMED && !isWs(x)) ws = 0;
        return r;
    }

    private int any(int i, int x) {
        if (isWs(x)) return whitespace();
        int target;
        if (x == '{') target = JsonGrammar.N_ANY_OBJECT;
        else if (x == '[') target = JsonGrammar.N_ANY_ARRAY;
        else if (x == '"') target = JsonGrammar.N_ANY_STRING;
        else if (x == '-' || (x >= '0' && x <= '9')) target = JsonGrammar.N_ANY_NUMBER;
        else if (x == 't' || x == 'f' || x == 'n') target = JsonGrammar.N_ANY_LITERAL;
        else return REJECT;
        node[i] = target;
        return step(i, x);
    }

    private int object(int i, JsonGrammar.Node n, int s, int x) {
        byte[][] keys = n.keys();
        switch (s) {
            case START -> {
                if (x != '{') return REJECT;
                st[i] = O_KEY;
                b[i] = 0;
                a[i] = 0;
                return CONSUMED;
            }
            case O_KEY -> {
                if (a[i] == 0 && isWs(x)) return whitespace();
                byte[] key = keys[b[i]];
                if ((key[a[i]] & 0xFF) != x) return REJECT;
                if (++a[i] == key.length) st[i] = O_COLON;
                return CONSUMED;
            }
            case O_COLON -> {
                if (isWs(x)) return whitespace();
                if (x != ':') return REJECT;
                st[i] = O_AFTER;
                return push(n.values()[b[i]]) ? CONSUMED : REJECT;
            }
            case O_AFTER -> {
                if (isWs(x)) return whitespace();
                if (b[i] + 1 < keys.length) {
                    if (x != ',') return REJECT;
                    b[i]++;
                    a[i] = 0;
                    st[i] = O_KEY;
                    return CONSUMED;
                }
                return x == '}' ? complete() : REJECT;
            }
            default -> {
                return REJECT;
            }
        }
    }

    private int freeObject(int i, JsonGrammar.Node n, int s, int x) {
        switch (s) {
            case START -> {
                if (x != '{') return REJECT;
                st[i] = F_FIRST;
                return CONSUMED;
            }
            case F_FIRST, F_KEY -> {
                if (isWs(x)) return whitespace();
                if (s == F_FIRST && x == '}') return complete();
                if (x != '"') return REJECT;
                st[i] = F_COLON;
                return pushIn(JsonGrammar.N_ANY_STRING, S_IN) ? CONSUMED : REJECT;
            }
            case F_COLON -> {
                if (isWs(x)) return whitespace();
                if (x != ':') return REJECT;
                st[i] = F_AFTER;
                return push(n.child()) ? CONSUMED : REJECT;
            }
            case F_AFTER -> {
                if (isWs(x)) return whitespace();
                if (x == ',') {
                    st[i] = F_KEY;
                    return CONSUMED;
                }
                return x == '}' ? complete() : REJECT;
            }
            default -> {
                return REJECT;
            }
        }
    }

    private int array(int i, JsonGrammar.Node n, int s, int x) {
        switch (s) {
            case START -> {
                if (x != '[') return REJECT;
                st[i] = A_FIRST;
                return CONSUMED;
            }
            case A_FIRST -> {
                if (isWs(x)) return whitespace();
                if (x == ']') return complete();
                st[i] = A_AFTER;
                if (!push(n.child())) return REJECT;
                int r = step(depth - 1, x);
                if (r == REJECT) return REJECT;
                if (r == POP_REOFFER) return REJECT; // a value cannot end on its first byte
                return CONSUMED;
            }
            case A_AFTER -> {
                if (isWs(x)) return whitespace();
                if (x == ',') return push(n.child()) ? CONSUMED : REJECT;
                return x == ']' ? complete() : REJECT;
            }
            default -> {
                return REJECT;
            }
        }
    }

    private int string(int i, JsonGrammar.Node n, int s, int x) {
        int max = n.maxLength();
        switch (s) {
            case START -> {
                if (x != '"') return REJECT;
                st[i] = S_IN;
                return CONSUMED;
            }
            case S_IN -> {
                if (x == '"') return complete();
                if (x < 0x20) return REJECT;
                if (x == '\\') {
                    st[i] = S_ESC;
                    return CONSUMED;
                }
                if ((x & 0xC0) != 0x80 && !count(i, max)) return REJECT;
                return CONSUMED;
            }
            case S_ESC -> {
                if (x == 'u') {
                    st[i] = S_HEX;
                    c[i] = 0;
                    return CONSUMED;
                }
                if ("\"\\/bfnrt".indexOf(x) < 0) return REJECT;
                if (!count(i, max)) return REJECT;
                st[i] = S_IN;
                return CONSUMED;
            }
            case S_HEX -> {
                if (Character.digit(x, 16) < 0) return REJECT;
                if (++c[i] == 4) {
                    if (!count(i, max)) return REJECT;
                    st[i] = S_IN;
                }
                return CONSUMED;
            }
            default -> {
                return REJECT;
            }
        }
    }

    private boolean count(int i, int max) {
        a[i]++;
        return max < 0 || a[i] <= max;
    }

    private static boolean numberAccepting(int s) {
        return s == N_ZERO || s == N_INT || s == N_FRAC || s == N_EXP;
    }

    private int number(int i, JsonGrammar.Node n, int s, int x) {
        boolean digit = x >= '0' && x <= '9';
        int next = -1;
        switch (s) {
            case START -> next = x == '-' ? N_SIGN : x == '0' ? N_ZERO : digit ? N_INT : -1;
            case N_SIGN -> next = x == '0' ? N_ZERO : digit ? N_INT : -1;
            case N_ZERO, N_INT -> {
                if (s == N_INT && digit) next = N_INT;
                else if (!n.integer() && x == '.') next = N_FRAC0;
                else if (!n.integer() && (x == 'e' || x == 'E')) next = N_EXP0;
            }
            case N_FRAC0 -> next = digit ? N_FRAC : -1;
            case N_FRAC -> next = digit ? N_FRAC : (x == 'e' || x == 'E') ? N_EXP0 : -1;
            case N_EXP0 -> next = (x == '+' || x == '-') ? N_EXPS : digit ? N_EXP : -1;
            case N_EXPS -> next = digit ? N_EXP : -1;
            case N_EXP -> next = digit ? N_EXP : -1;
            default -> next = -1;
        }
        if (next < 0) return numberAccepting(s) ? POP_REOFFER : REJECT;
        if (++a[i] > MAX_NUMBER) return REJECT;
        st[i] = next;
        return CONSUMED;
    }

    private int literal(int i, JsonGrammar.Node n, int s, int x) {
        byte[][] lits = n.literals();
        if (s == START) {
            st[i] = L_IN;
            a[i] = 0;
            b[i] = lits.length;
            c[i] = 0;
        }
        int lo = a[i], hi = b[i], pos = c[i];
        int nlo = -1, nhi = -1;
        for (int k = lo; k < hi; k++) {
            byte[] l = lits[k];
            if (l.length > pos && (l[pos] & 0xFF) == x) {
                if (nlo < 0) nlo = k;
                nhi = k + 1;
            }
        }
        if (nlo < 0) {
            boolean complete = lo < hi && lits[lo].length == pos && pos > 0;
            return complete ? POP_REOFFER : REJECT;
        }
        a[i] = nlo;
        b[i] = nhi;
        c[i] = pos + 1;
        if (nhi - nlo == 1 && lits[nlo].length == pos + 1) pop();
        return CONSUMED;
    }

    @Override
    public String toString() {
        return "JsonMatcher[depth=" + depth + ", states=" + Arrays.toString(Arrays.copyOf(st, depth)) + ", done=" + done + "]";
    }
}
