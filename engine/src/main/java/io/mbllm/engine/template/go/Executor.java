package io.mbllm.engine.template.go;

import io.mbllm.engine.template.go.Node.Arg;
import io.mbllm.engine.template.go.Node.Command;
import io.mbllm.engine.template.go.Node.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Walks parsed nodes against data, following Go's text/template exec.go: variable scopes end at the
 * enclosing {@code end}, {@code and}/{@code or} short-circuit, the piped value becomes the last argument,
 * actions that declare variables print nothing, nil prints as {@code <no value>}.
 */
final class Executor {
    /** Maximum nesting of {@code template} calls (Go allows 100000; the JVM stack does not). */
    static final int MAX_DEPTH = 256;
    /** Maximum output length in characters, so that runaway templates fail instead of exhausting memory. */
    static final int MAX_OUTPUT = 64 << 20;

    private static final Object MISSING = new Object();
    private static final int NORMAL = 0;
    private static final int BREAK = 1;
    private static final int CONTINUE = 2;

    private final Map<String, List<Node>> templates;
    private final Map<String, GoFunction> funcs;
    private final StringBuilder out;
    private final ArrayList<String> varNames = new ArrayList<>();
    private final ArrayList<Object> varValues = new ArrayList<>();
    private final int depth;
    /** Offset and source of the action being executed, for error messages. */
    int atPos;
    String atSrc = "";

    Executor(Map<String, List<Node>> templates, Map<String, GoFunction> funcs, StringBuilder out, Object dot,
            int depth) {
        this.templates = templates;
        this.funcs = funcs;
        this.out = out;
        this.depth = depth;
        push("$", dot);
    }

    // ---- variables -------------------------------------------------------------------------------------

    private void push(String name, Object value) {
        varNames.add(name);
        varValues.add(value);
    }

    private int mark() {
        return varNames.size();
    }

    private void pop(int mark) {
        while (varNames.size() > mark) {
            varNames.removeLast();
            varValues.removeLast();
        }
    }

    private void setTopVar(int n, Object value) {
        varValues.set(varValues.size() - n, value);
    }

    private void setVar(String name, Object value) {
        for (int i = varNames.size() - 1; i >= 0; i--) {
            if (varNames.get(i).equals(name)) {
                varValues.set(i, value);
                return;
            }
        }
        throw new EvalError("undefined variable: " + name);
    }

    private Object varValue(String name) {
        for (int i = varNames.size() - 1; i >= 0; i--) {
            if (varNames.get(i).equals(name)) {
                return varValues.get(i);
            }
        }
        throw new EvalError("undefined variable: " + name);
    }

    // ---- statements ------------------------------------------------------------------------------------

    private void write(String s) {
        if (out.length() + (long) s.length() > MAX_OUTPUT) {
            throw new EvalError("output exceeds " + MAX_OUTPUT + " characters");
        }
        out.append(s);
    }

    private void at(int pos, String src) {
        atPos = pos;
        atSrc = src;
    }

    int walkList(Object dot, List<Node> nodes) {
        for (Node n : nodes) {
            int r = walk(dot, n);
            if (r != NORMAL) {
                return r;
            }
        }
        return NORMAL;
    }

    private int walk(Object dot, Node node) {
        switch (node) {
            case Node.Text t -> write(t.text());
            case Node.Action a -> {
                at(a.pos(), a.src());
                Object v = evalPipeline(dot, a.pipe());
                if (a.pipe().decl().isEmpty()) {
                    write(v == null ? "<no value>" : GoFormat.formatValue(v));
                }
            }
            case Node.If n -> {
                return walkIfOrWith(false, dot, n.pos(), n.src(), n.pipe(), n.list(), n.elseList());
            }
            case Node.With n -> {
                return walkIfOrWith(true, dot, n.pos(), n.src(), n.pipe(), n.list(), n.elseList());
            }
            case Node.Range r -> {
                return walkRange(dot, r);
            }
            case Node.TemplateCall t -> walkTemplate(dot, t);
            case Node.Break b -> {
                return BREAK;
            }
            case Node.Continue c -> {
                return CONTINUE;
            }
        }
        return NORMAL;
    }

    private int walkIfOrWith(boolean with, Object dot, int pos, String src, Pipeline pipe, List<Node> list,
            List<Node> elseList) {
        int mark = mark();
        try {
            at(pos, src);
            Object v = evalPipeline(dot, pipe);
            if (GoValues.truth(v)) {
                return walkList(with ? v : dot, list);
            } else if (elseList != null) {
                return walkList(dot, elseList);
            }
            return NORMAL;
        } finally {
            pop(mark);
        }
    }

    private int walkRange(Object dot, Node.Range r) {
        int outer = mark();
        try {
            at(r.pos(), r.src());
            Object val = evalPipeline(dot, r.pipe());
            int mark = mark();
            switch (val) {
                case null -> {
                    // nil ranges like an empty collection
                }
                case Map<?, ?> m when !m.isEmpty() -> {
                    for (Object k : GoValues.sortedKeys(m)) {
                        if (iteration(r, mark, k, m.get(k)) == BREAK) {
                            break;
                        }
                    }
                    return NORMAL;
                }
                case Map<?, ?> m -> {
                    // empty map: else branch
                }
                case Byte b -> {
                    if (rangeInt(r, mark, val)) {
                        return NORMAL;
                    }
                }
                case Short s -> {
                    if (rangeInt(r, mark, val)) {
                        return NORMAL;
                    }
                }
                case Integer i -> {
                    if (rangeInt(r, mark, val)) {
                        return NORMAL;
                    }
                }
                case Long l -> {
                    if (rangeInt(r, mark, val)) {
                        return NORMAL;
                    }
                }
                default -> {
                    List<?> list = GoValues.asList(val);
                    if (list == null) {
                        throw new EvalError("range can't iterate over " + GoFormat.formatValue(val));
                    }
                    if (!list.isEmpty()) {
                        for (int i = 0; i < list.size(); i++) {
                            if (iteration(r, mark, (long) i, list.get(i)) == BREAK) {
                                break;
                            }
                        }
                        return NORMAL;
                    }
                }
            }
            if (r.elseList() != null) {
                return walkList(dot, r.elseList());
            }
            return NORMAL;
        } finally {
            pop(outer);
        }
    }

    /** Ranges over 0..n-1; returns false when there was nothing to iterate (the else branch runs). */
    private boolean rangeInt(Node.Range r, int mark, Object val) {
        if (r.pipe().decl().size() > 1) {
            throw new EvalError("can't use " + val + " to iterate over more than one variable");
        }
        long n = ((Number) val).longValue();
        for (long i = 0; i < n; i++) {
            if (iteration(r, mark, i, i) == BREAK) {
                break;
            }
        }
        return n > 0;
    }

    private int iteration(Node.Range r, int mark, Object index, Object elem) {
        Pipeline p = r.pipe();
        List<String> decl = p.decl();
        if (!decl.isEmpty()) {
            if (p.isAssign()) {
                setVar(decl.get(0), decl.size() > 1 ? index : elem);
            } else {
                setTopVar(1, elem);
            }
        }
        if (decl.size() > 1) {
            if (p.isAssign()) {
                setVar(decl.get(1), elem);
            } else {
                setTopVar(2, index);
            }
        }
        try {
            int res = walkList(elem, r.list());
            return res == BREAK ? BREAK : NORMAL;
        } finally {
            pop(mark);
        }
    }

    private void walkTemplate(Object dot, Node.TemplateCall t) {
        at(t.pos(), t.src());
        List<Node> body = templates.get(t.name());
        if (body == null) {
            throw new EvalError("template \"" + t.name() + "\" not defined");
        }
        if (depth >= MAX_DEPTH) {
            throw new EvalError("exceeded maximum template depth (" + MAX_DEPTH + ")");
        }
        Object newDot = t.pipe() == null ? null : evalPipeline(dot, t.pipe());
        Executor inner = new Executor(templates, funcs, out, newDot, depth + 1);
        try {
            inner.walkList(newDot, body);
        } catch (EvalError e) {
            atPos = inner.atPos;
            atSrc = inner.atSrc;
            throw e;
        }
    }

    // ---- expressions -----------------------------------------------------------------------------------

    Object evalPipeline(Object dot, Pipeline pipe) {
        Object value = MISSING;
        for (Command cmd : pipe.cmds()) {
            value = evalCommand(dot, cmd, value);
        }
        for (String v : pipe.decl()) {
            if (pipe.isAssign()) {
                setVar(v, value);
            } else {
                push(v, value);
            }
        }
        return value;
    }

    private static void notAFunction(List<Arg> args, Object fin) {
        if (args.size() > 1 || fin != MISSING) {
            throw new EvalError("can't give argument to non-function " + describe(args.getFirst()));
        }
    }

    private static String describe(Arg a) {
        return switch (a) {
            case Node.FieldArg f -> "." + String.join(".", f.idents());
            case Node.VariableArg v -> v.name() + (v.fields().isEmpty() ? "" : "." + String.join(".", v.fields()));
            case Node.DotArg d -> ".";
            case Node.NilArg n -> "nil";
            case Node.BoolArg b -> String.valueOf(b.value());
            case Node.StringArg s -> GoFormat.quote(s.value());
            case Node.NumberArg n -> n.text();
            case Node.IdentifierArg i -> i.name();
            case Node.PipeArg p -> "(pipeline)";
            case Node.ChainArg c -> "(" + describe(c.node()) + ")." + String.join(".", c.fields());
        };
    }

    private Object evalCommand(Object dot, Command cmd, Object fin) {
        List<Arg> args = cmd.args();
        Arg first = args.getFirst();
        switch (first) {
            case Node.FieldArg f -> {
                return fieldChain(dot, f.idents(), args, fin);
            }
            case Node.ChainArg c -> {
                if (c.node() instanceof Node.NilArg) {
                    throw new EvalError("indirection through explicit nil in " + describe(c));
                }
                return fieldChain(evalArg(dot, c.node(), false), c.fields(), args, fin);
            }
            case Node.IdentifierArg id -> {
                return callFunction(dot, id.name(), args.subList(1, args.size()), fin);
            }
            case Node.PipeArg p -> {
                notAFunction(args, fin);
                return evalPipeline(dot, p.pipe());
            }
            case Node.VariableArg v -> {
                Object value = varValue(v.name());
                if (v.fields().isEmpty()) {
                    notAFunction(args, fin);
                    return value;
                }
                return fieldChain(value, v.fields(), args, fin);
            }
            default -> {
                notAFunction(args, fin);
                return switch (first) {
                    case Node.BoolArg b -> b.value();
                    case Node.DotArg d -> dot;
                    case Node.NumberArg n -> n.value();
                    case Node.StringArg s -> s.value();
                    default -> throw new EvalError("nil is not a command");
                };
            }
        }
    }

    private static Object fieldChain(Object receiver, List<String> idents, List<Arg> args, Object fin) {
        Object v = receiver;
        int n = idents.size();
        for (int i = 0; i < n - 1; i++) {
            v = GoValues.field(v, idents.get(i), false);
        }
        return GoValues.field(v, idents.get(n - 1), args.size() > 1 || fin != MISSING);
    }

    private Object evalArg(Object dot, Arg a, boolean valueParam) {
        return switch (a) {
            case Node.DotArg d -> dot;
            case Node.NilArg n -> {
                if (valueParam) {
                    throw new EvalError("cannot assign nil to reflect.Value");
                }
                yield null;
            }
            case Node.FieldArg f -> fieldChain(dot, f.idents(), List.of(a), MISSING);
            case Node.VariableArg v -> {
                Object value = varValue(v.name());
                yield v.fields().isEmpty() ? value : fieldChain(value, v.fields(), List.of(a), MISSING);
            }
            case Node.PipeArg p -> evalPipeline(dot, p.pipe());
            case Node.IdentifierArg id -> callFunction(dot, id.name(), List.of(), MISSING);
            case Node.ChainArg c -> {
                if (c.node() instanceof Node.NilArg) {
                    throw new EvalError("indirection through explicit nil in " + describe(c));
                }
                yield fieldChain(evalArg(dot, c.node(), false), c.fields(), List.of(a), MISSING);
            }
            case Node.BoolArg b -> b.value();
            case Node.NumberArg n -> n.value();
            case Node.StringArg s -> s.value();
        };
    }

    private Object callFunction(Object dot, String name, List<Arg> args, Object fin) {
        boolean valueParam = Builtins.VALUE_PARAMS.contains(name);
        if (name.equals("and") || name.equals("or")) {
            int count = args.size() + (fin != MISSING ? 1 : 0);
            if (count < 1) {
                throw new EvalError("wrong number of args for " + name + ": want at least 1 got 0");
            }
            boolean isOr = name.equals("or");
            Object v = null;
            for (Arg a : args) {
                v = evalArg(dot, a, true);
                if (GoValues.truth(v) == isOr) {
                    return v;
                }
            }
            return fin != MISSING ? fin : v;
        }
        GoFunction f = funcs.get(name);
        if (f == null) {
            throw new EvalError("\"" + name + "\" is not a defined function");
        }
        List<Object> values = new ArrayList<>(args.size() + 1);
        for (Arg a : args) {
            values.add(evalArg(dot, a, valueParam));
        }
        if (fin != MISSING) {
            values.add(fin);
        }
        try {
            return f.call(values);
        } catch (EvalError e) {
            if (e.getMessage().startsWith("wrong number of args")) {
                throw e;
            }
            throw new EvalError("error calling " + name + ": " + e.getMessage());
        } catch (GoTemplateException e) {
            throw new EvalError("error calling " + name + ": " + e.getMessage());
        } catch (RuntimeException e) {
            throw new EvalError("error calling " + name + ": " + e);
        }
    }
}
