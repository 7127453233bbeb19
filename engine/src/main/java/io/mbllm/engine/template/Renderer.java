package io.mbllm.engine.template;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates a parsed template once: one instance per render call (it holds the output and counters). */
final class Renderer {
    private enum Flow { NORMAL, BREAK, CONTINUE }

    /** A variable scope; loops and macro calls open a child frame, {@code if} does not. */
    private static final class Frame {
        final Map<String, Object> vars = new HashMap<>();
        final Frame parent;

        Frame(Frame parent) { this.parent = parent; }
    }

    private final Map<String, Object> globals;
    private final Clock clock;
    private StringBuilder out = new StringBuilder(4096);
    private long iterations;
    private int callDepth;

    Renderer(Map<String, Object> globals, Clock clock) {
        this.globals = globals;
        this.clock = clock;
    }

    String render(List<Node> body) {
        exec(body, new Frame(null));
        return out.toString();
    }

    // ---- statements ----

    private Flow exec(List<Node> nodes, Frame f) {
        for (Node n : nodes) {
            Flow fl = exec(n, f);
            if (fl != Flow.NORMAL) return fl;
        }
        return Flow.NORMAL;
    }

    private void checkOutput(Loc loc) {
        if (out.length() > Limits.MAX_STRING) throw new TemplateFailure(TemplateException.Kind.RUNTIME, "output too large", loc);
    }

    private Flow exec(Node node, Frame f) {
        switch (node) {
            case Node.Text t -> {
                out.append(t.text());
                checkOutput(null);
            }
            case Node.Output o -> {
                Py.appendStr(out, eval(o.expr(), f));
                checkOutput(o.loc());
            }
            case Node.If i -> {
                for (int k = 0; k < i.conditions().size(); k++) {
                    if (Py.truthy(eval(i.conditions().get(k), f))) return exec(i.bodies().get(k), f);
                }
                return exec(i.orElse(), f);
            }
            case Node.For fo -> { return execFor(fo, f); }
            case Node.Set s -> execSet(s, f);
            case Node.SetBlock sb -> {
                Object v = capture(sb.body(), f);
                v = applyFilters(sb.filters(), v, f);
                f.vars.put(sb.name(), v);
            }
            case Node.MacroDef m -> f.vars.put(m.name(), new Macro(m, f));
            case Node.FilterBlock fb -> {
                Object v = capture(fb.body(), f);
                Py.appendStr(out, applyFilters(fb.filters(), v, f));
            }
            case Node.Scope sc -> { return exec(sc.body(), f); }
            case Node.Do d -> eval(d.expr(), f);
            case Node.Break b -> { return Flow.BREAK; }
            case Node.Continue c -> { return Flow.CONTINUE; }
        }
        return Flow.NORMAL;
    }

    private Object applyFilters(List<Expr.Filter> filters, Object v, Frame f) {
        for (Expr.Filter flt : filters) {
            try {
                v = Filters.apply(flt.name(), v, evalArgs(flt.args(), flt.kwNames(), flt.kwValues(), f));
            } catch (TemplateFailure tf) {
                throw tf.at(flt.loc());
            }
        }
        return v;
    }

    private String capture(List<Node> body, Frame f) {
        StringBuilder saved = out;
        out = new StringBuilder();
        try {
            exec(body, f);
            return out.toString();
        } finally {
            out = saved;
        }
    }

    private Flow execFor(Node.For fo, Frame f) {
        Object iterable = eval(fo.iterable(), f);
        List<Object> source;
        try {
            source = Py.iterate(iterable);
        } catch (TemplateFailure tf) {
            throw tf.at(fo.iterable().loc());
        }
        List<Object> items = new ArrayList<>(source);
        Frame lf = new Frame(f);
        if (fo.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                bindTargets(fo.targets(), item, lf, fo.loc());
                if (Py.truthy(eval(fo.filter(), lf))) kept.add(item);
            }
            items = kept;
        }
        if (items.isEmpty()) return exec(fo.orElse(), f);
        LoopContext loop = new LoopContext(items);
        lf.vars.put("loop", loop);
        for (int i = 0; i < items.size(); i++) {
            if (++iterations > Limits.MAX_ITERATIONS) {
                throw new TemplateFailure(TemplateException.Kind.RUNTIME, "too many loop iterations", fo.loc());
            }
            loop.index0 = i;
            bindTargets(fo.targets(), items.get(i), lf, fo.loc());
            Flow fl = exec(fo.body(), lf);
            if (fl == Flow.BREAK) break;
        }
        return Flow.NORMAL;
    }

    private static void bindTargets(List<String> targets, Object item, Frame f, Loc loc) {
        if (targets.size() == 1) {
            f.vars.put(targets.get(0), item);
            return;
        }
        List<Object> parts = item instanceof List<?> || item instanceof String ? Py.iterate(item) : null;
        if (parts == null || parts.size() != targets.size()) {
            throw new TemplateFailure(TemplateException.Kind.RUNTIME, "cannot unpack " + Py.typeName(item) + " into "
                    + targets.size() + " variables", loc);
        }
        for (int i = 0; i < targets.size(); i++) f.vars.put(targets.get(i), parts.get(i));
    }

    private void execSet(Node.Set s, Frame f) {
        Object v = eval(s.value(), f);
        if (s.attrOf() != null) {
            Object target = eval(s.attrOf(), f);
            switch (target) {
                case Namespace ns -> ns.attrs.put(s.attr(), v);
                case Map<?, ?> m -> {
                    @SuppressWarnings("unchecked") Map<Object, Object> mm = (Map<Object, Object>) m;
                    mm.put(s.attr(), v);
                }
                default -> throw new TemplateFailure(TemplateException.Kind.RUNTIME,
                        "cannot assign attribute '" + s.attr() + "' on " + Py.typeName(target) + " (only namespace objects)", s.loc());
            }
            return;
        }
        bindTargets(s.names(), v, f, s.loc());
    }

    // ---- expressions ----

    private Object eval(Expr e, Frame f) {
        try {
            return evalInner(e, f);
        } catch (TemplateFailure tf) {
            throw tf.at(e.loc());
        } catch (StackOverflowError so) {
            throw new TemplateFailure(TemplateException.Kind.RUNTIME, "template recursion too deep", e.loc());
        } catch (RuntimeException re) {
            throw new TemplateFailure(TemplateException.Kind.RUNTIME, "internal error: " + re, e.loc());
        }
    }

    private Object lookup(String name, Frame f) {
        for (Frame fr = f; fr != null; fr = fr.parent) {
            Object v = fr.vars.get(name);
            if (v != null || fr.vars.containsKey(name)) return v;
        }
        Object g = globals.get(name);
        if (g != null || globals.containsKey(name)) return g;
        return switch (name) {
            case "range" -> (JinjaFunction) Globals::range;
            case "namespace" -> (JinjaFunction) Globals::namespace;
            case "dict" -> (JinjaFunction) Globals::dict;
            case "raise_exception" -> (JinjaFunction) a -> {
                throw new TemplateFailure(TemplateException.Kind.RAISED, Py.str(a.get(0, "message", "")), null);
            };
            case "strftime_now" -> (JinjaFunction) a -> Globals.strftime(Py.str(a.require(0, "format", "strftime_now")), ZonedDateTime.now(clock));
            default -> new Undefined(name);
        };
    }

    private Object evalInner(Expr e, Frame f) {
        switch (e) {
            case Expr.Const c -> { return c.value(); }
            case Expr.Name n -> { return lookup(n.name(), f); }
            case Expr.ListLit l -> {
                List<Object> out = new ArrayList<>(l.items().size());
                for (Expr x : l.items()) out.add(eval(x, f));
                return out;
            }
            case Expr.TupleLit t -> {
                Object[] out = new Object[t.items().size()];
                for (int i = 0; i < out.length; i++) out[i] = eval(t.items().get(i), f);
                return new Tuple(out);
            }
            case Expr.DictLit d -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) m.put(Py.normalizeKey(eval(d.keys().get(i), f)), eval(d.values().get(i), f));
                return m;
            }
            case Expr.GetAttr g -> { return Py.getAttr(eval(g.target(), f), g.name()); }
            case Expr.GetItem g -> { return Py.getItem(eval(g.target(), f), eval(g.key(), f)); }
            case Expr.Slice s -> {
                Object target = eval(s.target(), f);
                return Py.slice(target, optEval(s.start(), f), optEval(s.stop(), f), optEval(s.step(), f));
            }
            case Expr.Call c -> { return evalCall(c, f); }
            case Expr.Filter fl -> {
                Object v = eval(fl.value(), f);
                return Filters.apply(fl.name(), v, evalArgs(fl.args(), fl.kwNames(), fl.kwValues(), f));
            }
            case Expr.Test t -> {
                Object v = eval(t.value(), f);
                List<Object> args = new ArrayList<>(t.args().size());
                for (Expr a : t.args()) args.add(eval(a, f));
                boolean r = Tests.apply(t.name(), v, args);
                return t.negated() != r;
            }
            case Expr.Not n -> { return !Py.truthy(eval(n.operand(), f)); }
            case Expr.Neg n -> { return Py.neg(eval(n.operand(), f)); }
            case Expr.And a -> {
                Object l = eval(a.left(), f);
                return Py.truthy(l) ? eval(a.right(), f) : l;
            }
            case Expr.Or o -> {
                Object l = eval(o.left(), f);
                return Py.truthy(l) ? l : eval(o.right(), f);
            }
            case Expr.Binary b -> {
                Object l = eval(b.left(), f);
                Object r = eval(b.right(), f);
                return switch (b.op()) {
                    case ADD -> Py.add(l, r);
                    case SUB -> Py.sub(l, r);
                    case MUL -> Py.mul(l, r);
                    case DIV -> Py.div(l, r);
                    case FLOORDIV -> Py.floorDiv(l, r);
                    case MOD -> Py.mod(l, r);
                    case POW -> Py.pow(l, r);
                    case CONCAT -> {
                        String ls = Py.str(l), rs = Py.str(r);
                        if ((long) ls.length() + rs.length() > Limits.MAX_STRING) throw TemplateFailure.runtime("string too large");
                        yield ls + rs;
                    }
                };
            }
            case Expr.Compare c -> {
                Object left = eval(c.operands().get(0), f);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.operands().get(i + 1), f);
                    boolean ok = switch (c.ops().get(i)) {
                        case EQ -> Py.eq(left, right);
                        case NE -> !Py.eq(left, right);
                        case LT -> Py.compare(left, right) < 0;
                        case LE -> Py.compare(left, right) <= 0;
                        case GT -> Py.compare(left, right) > 0;
                        case GE -> Py.compare(left, right) >= 0;
                        case IN -> Py.contains(right, left);
                        case NOT_IN -> !Py.contains(right, left);
                    };
                    if (!ok) return false;
                    left = right;
                }
                return true;
            }
            case Expr.Cond c -> {
                if (Py.truthy(eval(c.cond(), f))) return eval(c.then(), f);
                return c.otherwise() == null ? new Undefined(null) : eval(c.otherwise(), f);
            }
        }
    }

    private Object optEval(Expr e, Frame f) { return e == null ? null : eval(e, f); }

    private Args evalArgs(List<Expr> args, List<String> kwNames, List<Expr> kwValues, Frame f) {
        if (args.isEmpty() && kwNames.isEmpty()) return Args.NONE;
        List<Object> pos = new ArrayList<>(args.size());
        for (Expr a : args) pos.add(eval(a, f));
        Map<String, Object> named = kwNames.isEmpty() ? Map.of() : new LinkedHashMap<>();
        for (int i = 0; i < kwNames.size(); i++) named.put(kwNames.get(i), eval(kwValues.get(i), f));
        return new Args(pos, named);
    }

    private Object evalCall(Expr.Call c, Frame f) {
        if (c.callee() instanceof Expr.GetAttr ga) {
            Object target = eval(ga.target(), f);
            if (target instanceof Undefined u) throw u.error("method '" + ga.name() + "' called");
            Args args = evalArgs(c.args(), c.kwNames(), c.kwValues(), f);
            if (!(target instanceof Map<?, ?> m && m.get(ga.name()) instanceof JinjaFunction)) {
                Object r = Methods.call(target, ga.name(), args);
                if (r != Methods.NO_METHOD) return r;
            }
            Object fn = Py.getAttr(target, ga.name());
            if (fn instanceof Undefined) {
                throw TemplateFailure.runtime("'" + Py.typeName(target) + "' object has no method '" + ga.name() + "'");
            }
            return callValue(fn, args, ga.name());
        }
        Object fn = eval(c.callee(), f);
        Args args = evalArgs(c.args(), c.kwNames(), c.kwValues(), f);
        return callValue(fn, args, c.callee() instanceof Expr.Name n ? n.name() : "value");
    }

    private Object callValue(Object fn, Args args, String what) {
        if (fn instanceof JinjaFunction jf) return jf.call(args);
        if (fn instanceof Undefined u) throw u.error("called as a function");
        throw TemplateFailure.runtime("'" + what + "' (" + Py.typeName(fn) + ") is not callable");
    }

    /** A macro bound to the frame it was defined in. */
    private final class Macro implements JinjaFunction {
        private final Node.MacroDef def;
        private final Frame closure;

        Macro(Node.MacroDef def, Frame closure) {
            this.def = def;
            this.closure = closure;
        }

        @Override
        public Object call(Args a) {
            if (++callDepth > Limits.MAX_CALL_DEPTH) {
                callDepth--;
                throw new TemplateFailure(TemplateException.Kind.RUNTIME, "macro '" + def.name() + "' recursion too deep", def.loc());
            }
            try {
                Frame mf = new Frame(closure);
                List<String> params = def.params();
                Map<String, Object> extraKw = new LinkedHashMap<>(a.named());
                for (int i = 0; i < params.size(); i++) {
                    String p = params.get(i);
                    Object v;
                    if (i < a.size()) v = a.positional().get(i);
                    else if (extraKw.containsKey(p)) v = extraKw.get(p);
                    else if (def.defaults().get(i) != null) v = eval(def.defaults().get(i), mf);
                    else v = new Undefined(p);
                    extraKw.remove(p);
                    mf.vars.put(p, v);
                }
                Tuple varargs = a.size() > params.size() ? Tuple.of(a.positional().subList(params.size(), a.size())) : new Tuple();
                mf.vars.put("varargs", varargs);
                mf.vars.put("kwargs", new LinkedHashMap<Object, Object>(extraKw));
                return capture(def.body(), mf);
            } finally {
                callDepth--;
            }
        }
    }
}
