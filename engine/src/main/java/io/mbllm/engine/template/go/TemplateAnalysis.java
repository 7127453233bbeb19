package io.mbllm.engine.template.go;

import io.mbllm.engine.template.go.Node.Arg;
import io.mbllm.engine.template.go.Node.Command;
import io.mbllm.engine.template.go.Node.Pipeline;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Ollama's static inspections of a parsed template: the identifiers it references
 * (template.go Vars/Identifiers), the legacy-mode cut after the first {@code .Response}
 * (template.go deleteNode) and the thinking-tag heuristic (thinking/template.go InferTags).
 */
final class TemplateAnalysis {
    private TemplateAnalysis() {
    }

    // ---- identifiers ---------------------------------------------------------------------------------

    /**
     * Lower-cased identifiers referenced by field and variable nodes of every template (root and defined):
     * {@code .Messages} and {@code $.Messages} both yield "messages"; chains on parenthesised values and
     * function names are not counted, as in Ollama.
     */
    static Set<String> vars(GoTemplate t) {
        Set<String> out = new TreeSet<>();
        for (List<Node> body : t.defined().values()) {
            collect(body, out);
        }
        collect(t.root(), out);
        return out;
    }

    private static void collect(List<Node> nodes, Set<String> out) {
        for (Node n : nodes) {
            switch (n) {
                case Node.Action a -> collect(a.pipe(), out);
                case Node.If b -> branch(b.pipe(), b.list(), b.elseList(), out);
                case Node.With b -> branch(b.pipe(), b.list(), b.elseList(), out);
                case Node.Range b -> branch(b.pipe(), b.list(), b.elseList(), out);
                case Node.TemplateCall c -> {
                    if (c.pipe() != null) {
                        collect(c.pipe(), out);
                    }
                }
                default -> {
                }
            }
        }
    }

    private static void branch(Pipeline p, List<Node> list, List<Node> elseList, Set<String> out) {
        collect(p, out);
        collect(list, out);
        if (elseList != null) {
            collect(elseList, out);
        }
    }

    private static void collect(Pipeline p, Set<String> out) {
        for (Command c : p.cmds()) {
            for (Arg a : c.args()) {
                switch (a) {
                    case Node.FieldArg f -> f.idents().forEach(s -> out.add(s.toLowerCase(Locale.ROOT)));
                    case Node.VariableArg v -> {
                        out.add(v.name().toLowerCase(Locale.ROOT));
                        v.fields().forEach(s -> out.add(s.toLowerCase(Locale.ROOT)));
                    }
                    case Node.PipeArg pa -> collect(pa.pipe(), out);
                    default -> {
                    }
                }
            }
        }
    }

    // ---- legacy Response cut ---------------------------------------------------------------------------

    /**
     * Copies the root body keeping everything up to and including the first {@code .Response} field
     * (in output order of actions, not inside if/range/with conditions) and dropping every node after it.
     * Where Ollama would fail on an {@code else} branch after the cut (nil type assertion), the branch is
     * dropped instead.
     */
    static List<Node> cutAfterResponse(List<Node> root) {
        return new Cutter().list(root);
    }

    private static final class Cutter {
        private boolean cut;

        List<Node> list(List<Node> nodes) {
            List<Node> out = new ArrayList<>();
            for (Node n : nodes) {
                if (cut) {
                    continue;
                }
                Node r = node(n);
                if (r != null) {
                    out.add(r);
                }
            }
            return out;
        }

        private List<Node> elseList(List<Node> l) {
            return l == null || cut ? null : list(l);
        }

        Node node(Node n) {
            return switch (n) {
                case Node.Action a -> {
                    Pipeline p = pipe(a.pipe());
                    yield p == null ? null : new Node.Action(a.pos(), a.src(), p);
                }
                case Node.If b -> {
                    List<Node> l = list(b.list());
                    yield new Node.If(b.pos(), b.src(), b.pipe(), l, elseList(b.elseList()));
                }
                case Node.With b -> {
                    List<Node> l = list(b.list());
                    yield new Node.With(b.pos(), b.src(), b.pipe(), l, elseList(b.elseList()));
                }
                case Node.Range b -> {
                    List<Node> l = list(b.list());
                    yield new Node.Range(b.pos(), b.src(), b.pipe(), l, elseList(b.elseList()));
                }
                default -> n;
            };
        }

        Pipeline pipe(Pipeline p) {
            List<Command> cmds = new ArrayList<>();
            for (Command c : p.cmds()) {
                List<Arg> args = new ArrayList<>();
                for (Arg a : c.args()) {
                    if (cut) {
                        continue;
                    }
                    if (a instanceof Node.FieldArg f && f.idents().contains("Response")) {
                        cut = true;
                        args.add(a);
                    } else if (a instanceof Node.PipeArg pa) {
                        Pipeline inner = pipe(pa.pipe());
                        if (inner != null) {
                            args.add(new Node.PipeArg(pa.pos(), inner));
                        }
                    } else {
                        args.add(a);
                    }
                }
                if (args.isEmpty()) {
                    return null;
                }
                cmds.add(new Command(c.pos(), List.copyOf(args)));
            }
            return cmds.isEmpty() ? null : new Pipeline(p.pos(), p.isAssign(), p.decl(), List.copyOf(cmds));
        }
    }

    // ---- thinking tags -------------------------------------------------------------------------------

    /** Opening and closing thinking tags, "" when not found. */
    record ThinkingTags(String opening, String closing) {
    }

    /**
     * Finds {@code .Thinking} inside a {@code range} over {@code .Messages} and takes the trimmed first and
     * last text nodes of the nearest enclosing list as the tags (last match wins), like Ollama's InferTags.
     */
    static ThinkingTags thinkingTags(GoTemplate t) {
        TagFinder f = new TagFinder();
        f.list(t.root(), false);
        return new ThinkingTags(f.opening, f.closing);
    }

    private static final class TagFinder {
        String opening = "";
        String closing = "";
        private final List<List<Node>> lists = new ArrayList<>();

        void list(List<Node> nodes, boolean inMessagesRange) {
            lists.add(nodes);
            for (Node n : nodes) {
                switch (n) {
                    case Node.Action a -> pipe(a.pipe(), inMessagesRange);
                    case Node.If b -> {
                        pipe(b.pipe(), inMessagesRange);
                        list(b.list(), inMessagesRange);
                        if (b.elseList() != null) {
                            list(b.elseList(), inMessagesRange);
                        }
                    }
                    case Node.With b -> {
                        pipe(b.pipe(), inMessagesRange);
                        list(b.list(), inMessagesRange);
                        if (b.elseList() != null) {
                            list(b.elseList(), inMessagesRange);
                        }
                    }
                    case Node.Range b -> {
                        boolean overMessages = usesMessages(b.pipe());
                        pipe(b.pipe(), inMessagesRange);
                        list(b.list(), overMessages);
                        if (b.elseList() != null) {
                            list(b.elseList(), overMessages);
                        }
                    }
                    case Node.TemplateCall c -> {
                        if (c.pipe() != null) {
                            pipe(c.pipe(), inMessagesRange);
                        }
                    }
                    default -> {
                    }
                }
            }
            lists.removeLast();
        }

        private static boolean usesMessages(Pipeline p) {
            for (Command c : p.cmds()) {
                for (Arg a : c.args()) {
                    if (a instanceof Node.FieldArg f && f.idents().getFirst().equals("Messages")) {
                        return true;
                    }
                    if (a instanceof Node.PipeArg pa && usesMessages(pa.pipe())) {
                        return true;
                    }
                }
            }
            return false;
        }

        private void pipe(Pipeline p, boolean inMessagesRange) {
            for (Command c : p.cmds()) {
                for (Arg a : c.args()) {
                    if (a instanceof Node.FieldArg f && f.idents().getFirst().equals("Thinking") && inMessagesRange) {
                        List<Node> l = lists.getLast();
                        if (l.getFirst() instanceof Node.Text t) {
                            opening = t.text().strip();
                        }
                        if (l.getLast() instanceof Node.Text t) {
                            closing = t.text().strip();
                        }
                    } else if (a instanceof Node.PipeArg pa) {
                        pipe(pa.pipe(), inMessagesRange);
                    }
                }
            }
        }
    }

}
