package io.mbllm.engine.template.go;

import io.mbllm.engine.template.go.Node.Arg;
import io.mbllm.engine.template.go.Node.Command;
import io.mbllm.engine.template.go.Node.Pipeline;
import io.mbllm.engine.template.go.Token.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recursive-descent parser from tokens to {@link Node}s, following the grammar and checks of Go's
 * text/template/parse: variables must be declared before use, functions must exist, break/continue only
 * inside range, {@code define} only at top level, {@code else if}/{@code else with} chains.
 */
final class Parser {

    /** Result of parsing: the root body plus every {@code define}d or {@code block} template. */
    record Parsed(List<Node> root, Map<String, List<Node>> defined) {
    }

    /** Internal parse failure at a source offset. */
    static final class ParseError extends Exception {
        private static final long serialVersionUID = 1L;
        final int pos;

        ParseError(int pos, String message) {
            super(message, null, false, false);
            this.pos = pos;
        }
    }

    private final String src;
    private final List<Token> tokens;
    private final Set<String> functions;
    private final Map<String, List<Node>> defined = new LinkedHashMap<>();
    private int idx;
    private List<String> vars = new ArrayList<>(List.of("$"));
    private int rangeDepth;
    private int actionStart;
    private int nesting;

    /** Deepest allowed nesting of control structures and parenthesised pipelines. */
    static final int MAX_NESTING = 200;

    private Parser(String src, List<Token> tokens, Set<String> functions) {
        this.src = src;
        this.tokens = tokens;
        this.functions = functions;
    }

    static Parsed parse(String src, Set<String> functions) throws ParseError {
        List<Token> tokens = Lexer.lex(src);
        Parser p = new Parser(src, tokens, functions);
        List<Node> root = p.parseTop();
        return new Parsed(root, p.defined);
    }

    // ---- token helpers -------------------------------------------------------------------------------

    private Token next() throws ParseError {
        Token t = peek();
        if (t.is(Type.ERROR)) {
            throw new ParseError(t.pos(), t.text());
        }
        idx++;
        return t;
    }

    private Token peek() {
        return tokens.get(Math.min(idx, tokens.size() - 1));
    }

    private Token nextNonSpace() throws ParseError {
        Token t;
        do {
            t = next();
        } while (t.is(Type.SPACE));
        return t;
    }

    private Token peekNonSpace() throws ParseError {
        int save = idx;
        Token t = nextNonSpace();
        idx = save;
        // step over the spaces so a following backup() lands on the non-space token
        while (peek().is(Type.SPACE)) {
            idx++;
        }
        return t;
    }

    private void backup() {
        idx--;
    }

    private ParseError error(int pos, String message) {
        return new ParseError(pos, message);
    }

    private ParseError unexpected(Token t, String context) {
        return error(t.pos(), "unexpected " + t.describe() + " in " + context);
    }

    private Token expect(Type type, String context) throws ParseError {
        Token t = nextNonSpace();
        if (!t.is(type)) {
            throw unexpected(t, context);
        }
        return t;
    }

    /** Source text of the current action, from its left delimiter to {@code endPos}. */
    private String actionSource(int endPos) {
        int from = Math.min(actionStart + 2, src.length());
        String s = src.substring(from, Math.max(from, Math.min(endPos, src.length())));
        if (s.startsWith("- ")) {
            s = s.substring(2);
        }
        s = s.strip();
        if (s.endsWith(" -")) {
            s = s.substring(0, s.length() - 2);
        }
        return s.strip();
    }

    // ---- structure -------------------------------------------------------------------------------------

    /** A marker for {{end}} / {{else}} returned by textOrAction. */
    private record Terminator(Type type, int pos) implements NodeOrTerm {
    }

    private sealed interface NodeOrTerm permits Terminator, Wrapped {
    }

    private record Wrapped(Node node) implements NodeOrTerm {
    }

    private List<Node> parseTop() throws ParseError {
        List<Node> root = new ArrayList<>();
        while (!peek().is(Type.EOF)) {
            if (peek().is(Type.LEFT_DELIM)) {
                int save = idx;
                Token delim = next();
                if (nextNonSpace().is(Type.DEFINE)) {
                    actionStart = delim.pos();
                    parseDefinition();
                    continue;
                }
                idx = save;
            }
            NodeOrTerm n = textOrAction();
            if (n instanceof Terminator t) {
                throw error(t.pos(), "unexpected {{" + (t.type() == Type.END ? "end" : "else") + "}}");
            }
            root.add(((Wrapped) n).node());
        }
        return root;
    }

    private void parseDefinition() throws ParseError {
        Token nameTok = nextNonSpace();
        if (!nameTok.is(Type.STRING) && !nameTok.is(Type.RAW_STRING)) {
            throw unexpected(nameTok, "define clause");
        }
        String name = Literals.unquote(nameTok.text(), nameTok.pos());
        expect(Type.RIGHT_DELIM, "define clause");
        List<String> savedVars = vars;
        int savedDepth = rangeDepth;
        vars = new ArrayList<>(List.of("$"));
        rangeDepth = 0;
        ItemList body = itemList();
        if (body.end().type() != Type.END) {
            throw error(body.end().pos(), "unexpected {{else}} in define clause");
        }
        vars = savedVars;
        rangeDepth = savedDepth;
        addTemplate(nameTok.pos(), name, body.nodes());
    }

    private void addTemplate(int pos, String name, List<Node> body) throws ParseError {
        List<Node> existing = defined.get(name);
        if (existing != null && !isEmpty(existing) && !isEmpty(body)) {
            throw error(pos, "template: multiple definition of template \"" + name + "\"");
        }
        if (existing == null || isEmpty(existing)) {
            defined.put(name, body);
        }
    }

    private static boolean isEmpty(List<Node> nodes) {
        for (Node n : nodes) {
            if (!(n instanceof Node.Text t) || !t.text().isBlank()) {
                return false;
            }
        }
        return true;
    }

    private record ItemList(List<Node> nodes, Terminator end) {
    }

    private ItemList itemList() throws ParseError {
        List<Node> nodes = new ArrayList<>();
        while (!peekNonSpace().is(Type.EOF)) {
            NodeOrTerm n = textOrAction();
            if (n instanceof Terminator t) {
                return new ItemList(nodes, t);
            }
            nodes.add(((Wrapped) n).node());
        }
        throw error(src.length(), "unexpected EOF");
    }

    private NodeOrTerm textOrAction() throws ParseError {
        Token t = nextNonSpace();
        return switch (t.type()) {
            case TEXT -> new Wrapped(new Node.Text(t.text()));
            case LEFT_DELIM -> {
                actionStart = t.pos();
                yield action();
            }
            default -> throw unexpected(t, "input");
        };
    }

    private NodeOrTerm action() throws ParseError {
        Token t = nextNonSpace();
        switch (t.type()) {
            case BLOCK:
                enter(t.pos());
                try {
                    return new Wrapped(blockControl());
                } finally {
                    nesting--;
                }
            case BREAK:
            case CONTINUE: {
                String word = t.is(Type.BREAK) ? "break" : "continue";
                Token end = nextNonSpace();
                if (!end.is(Type.RIGHT_DELIM)) {
                    throw unexpected(end, "{{" + word + "}}");
                }
                if (rangeDepth == 0) {
                    throw error(t.pos(), "{{" + word + "}} outside {{range}}");
                }
                return new Wrapped(t.is(Type.BREAK) ? new Node.Break(t.pos(), word) : new Node.Continue(t.pos(), word));
            }
            case ELSE: {
                Token p = peekNonSpace();
                if (p.is(Type.IF) || p.is(Type.WITH)) {
                    return new Terminator(Type.ELSE, t.pos());
                }
                expect(Type.RIGHT_DELIM, "else");
                return new Terminator(Type.ELSE, t.pos());
            }
            case END:
                expect(Type.RIGHT_DELIM, "end");
                return new Terminator(Type.END, t.pos());
            case IF:
            case RANGE:
            case WITH:
                return new Wrapped(control(t.type(), actionStart));
            case TEMPLATE:
                return new Wrapped(templateControl());
            default:
                backup();
                int start = actionStart;
                Pipeline pipe = pipeline("command", Type.RIGHT_DELIM);
                return new Wrapped(new Node.Action(start, actionSource(tokens.get(idx - 1).pos()), pipe));
        }
    }

    private void enter(int pos) throws ParseError {
        if (++nesting > MAX_NESTING) {
            throw error(pos, "nesting deeper than " + MAX_NESTING + " levels");
        }
    }

    private Node control(Type kind, int start) throws ParseError {
        enter(start);
        try {
            return controlBody(kind, start);
        } finally {
            nesting--;
        }
    }

    private Node controlBody(Type kind, int start) throws ParseError {
        String context = switch (kind) {
            case IF -> "if";
            case RANGE -> "range";
            default -> "with";
        };
        int varsMark = vars.size();
        try {
            Pipeline pipe = pipeline(context, Type.RIGHT_DELIM);
            String source = actionSource(tokens.get(idx - 1).pos());
            if (kind == Type.RANGE) {
                rangeDepth++;
            }
            ItemList body = itemList();
            if (kind == Type.RANGE) {
                rangeDepth--;
            }
            List<Node> elseList = null;
            if (body.end().type() == Type.ELSE) {
                Token p = peekNonSpace();
                if (kind == Type.IF && p.is(Type.IF)) {
                    nextNonSpace();
                    elseList = List.of(control(Type.IF, body.end().pos()));
                } else if (kind == Type.WITH && p.is(Type.WITH)) {
                    nextNonSpace();
                    elseList = List.of(control(Type.WITH, body.end().pos()));
                } else {
                    ItemList e = itemList();
                    if (e.end().type() != Type.END) {
                        throw error(e.end().pos(), "expected end; found {{else}}");
                    }
                    elseList = e.nodes();
                }
            }
            List<Node> list = body.nodes();
            return switch (kind) {
                case IF -> new Node.If(start, source, pipe, list, elseList);
                case RANGE -> new Node.Range(start, source, pipe, list, elseList);
                default -> new Node.With(start, source, pipe, list, elseList);
            };
        } finally {
            while (vars.size() > varsMark) {
                vars.removeLast();
            }
        }
    }

    private String templateName(Token t, String context) throws ParseError {
        if (t.is(Type.STRING) || t.is(Type.RAW_STRING)) {
            return Literals.unquote(t.text(), t.pos());
        }
        throw unexpected(t, context);
    }

    private Node templateControl() throws ParseError {
        int start = actionStart;
        Token nameTok = nextNonSpace();
        String name = templateName(nameTok, "template clause");
        Pipeline pipe = null;
        if (!nextNonSpace().is(Type.RIGHT_DELIM)) {
            backup();
            pipe = pipeline("template clause", Type.RIGHT_DELIM);
        }
        return new Node.TemplateCall(start, actionSource(tokens.get(idx - 1).pos()), name, pipe);
    }

    private Node blockControl() throws ParseError {
        int start = actionStart;
        Token nameTok = nextNonSpace();
        String name = templateName(nameTok, "block clause");
        Pipeline pipe = pipeline("block clause", Type.RIGHT_DELIM);
        String source = actionSource(tokens.get(idx - 1).pos());
        List<String> savedVars = vars;
        int savedDepth = rangeDepth;
        vars = new ArrayList<>(List.of("$"));
        rangeDepth = 0;
        ItemList body = itemList();
        vars = savedVars;
        rangeDepth = savedDepth;
        if (body.end().type() != Type.END) {
            throw error(body.end().pos(), "unexpected {{else}} in block clause");
        }
        addTemplate(nameTok.pos(), name, body.nodes());
        return new Node.TemplateCall(start, source, name, pipe);
    }

    // ---- pipelines -----------------------------------------------------------------------------------

    private Pipeline pipeline(String context, Type end) throws ParseError {
        int pipePos = peekNonSpace().pos();
        boolean isAssign = false;
        List<String> decl = new ArrayList<>();
        while (true) {
            Token v = peekNonSpace();
            if (!v.is(Type.VARIABLE)) {
                break;
            }
            int save = idx;
            next();
            Token n = peekNonSpace();
            if (n.is(Type.ASSIGN) || n.is(Type.DECLARE)) {
                isAssign = n.is(Type.ASSIGN);
                nextNonSpace();
                decl.add(v.text());
                vars.add(v.text());
                break;
            } else if (n.is(Type.CHAR) && n.text().equals(",")) {
                nextNonSpace();
                decl.add(v.text());
                vars.add(v.text());
                if (context.equals("range") && decl.size() < 2) {
                    Token p = peekNonSpace();
                    if (p.is(Type.VARIABLE) || p.is(Type.RIGHT_DELIM) || p.is(Type.RIGHT_PAREN)) {
                        continue;
                    }
                    throw error(p.pos(), "range can only initialize variables");
                }
                throw error(n.pos(), "too many declarations in " + context);
            } else {
                idx = save;
                break;
            }
        }
        List<Command> cmds = new ArrayList<>();
        while (true) {
            Token t = nextNonSpace();
            if (t.is(end)) {
                if (cmds.isEmpty()) {
                    throw error(t.pos(), "missing value for " + context);
                }
                for (int i = 1; i < cmds.size(); i++) {
                    Arg first = cmds.get(i).args().getFirst();
                    if (first instanceof Node.BoolArg || first instanceof Node.DotArg || first instanceof Node.NilArg
                            || first instanceof Node.NumberArg || first instanceof Node.StringArg) {
                        throw error(first.pos(), "non executable command in pipeline stage " + (i + 1));
                    }
                }
                return new Pipeline(pipePos, isAssign, List.copyOf(decl), List.copyOf(cmds));
            }
            switch (t.type()) {
                case BOOL, CHAR_CONSTANT, DOT, FIELD, IDENTIFIER, NUMBER, NIL, RAW_STRING, STRING, VARIABLE,
                     LEFT_PAREN -> {
                    backup();
                    cmds.add(command());
                }
                default -> throw unexpected(t, context);
            }
        }
    }

    private Command command() throws ParseError {
        int pos = peekNonSpace().pos();
        List<Arg> args = new ArrayList<>();
        while (true) {
            peekNonSpace();
            Arg operand = operand();
            if (operand != null) {
                args.add(operand);
            }
            Token t = next();
            if (t.is(Type.SPACE)) {
                continue;
            }
            if (t.is(Type.RIGHT_DELIM) || t.is(Type.RIGHT_PAREN)) {
                backup();
            } else if (!t.is(Type.PIPE)) {
                throw unexpected(t, "operand");
            }
            break;
        }
        if (args.isEmpty()) {
            throw error(pos, "empty command");
        }
        return new Command(pos, List.copyOf(args));
    }

    private Arg operand() throws ParseError {
        Arg node = term();
        if (node == null) {
            return null;
        }
        if (peek().is(Type.FIELD)) {
            List<String> chain = new ArrayList<>();
            while (peek().is(Type.FIELD)) {
                chain.add(next().text().substring(1));
            }
            switch (node) {
                case Node.FieldArg f -> {
                    List<String> all = new ArrayList<>(f.idents());
                    all.addAll(chain);
                    return new Node.FieldArg(f.pos(), List.copyOf(all));
                }
                case Node.VariableArg v -> {
                    List<String> all = new ArrayList<>(v.fields());
                    all.addAll(chain);
                    return new Node.VariableArg(v.pos(), v.name(), List.copyOf(all));
                }
                case Node.BoolArg b -> throw error(b.pos(), "unexpected . after term \"" + b.value() + "\"");
                case Node.StringArg s -> throw error(s.pos(), "unexpected . after term \"" + s.value() + "\"");
                case Node.NumberArg n -> throw error(n.pos(), "unexpected . after term \"" + n.text() + "\"");
                case Node.NilArg n -> throw error(n.pos(), "unexpected . after term \"nil\"");
                case Node.DotArg d -> throw error(d.pos(), "unexpected . after term \".\"");
                default -> {
                    return new Node.ChainArg(node.pos(), node, List.copyOf(chain));
                }
            }
        }
        return node;
    }

    private Arg term() throws ParseError {
        Token t = nextNonSpace();
        switch (t.type()) {
            case IDENTIFIER:
                if (!functions.contains(t.text())) {
                    throw error(t.pos(), "function \"" + t.text() + "\" not defined");
                }
                return new Node.IdentifierArg(t.pos(), t.text());
            case DOT:
                return new Node.DotArg(t.pos());
            case NIL:
                return new Node.NilArg(t.pos());
            case VARIABLE:
                if (!vars.contains(t.text())) {
                    throw error(t.pos(), "undefined variable \"" + t.text() + "\"");
                }
                return new Node.VariableArg(t.pos(), t.text(), List.of());
            case FIELD:
                return new Node.FieldArg(t.pos(), List.of(t.text().substring(1)));
            case BOOL:
                return new Node.BoolArg(t.pos(), t.text().equals("true"));
            case NUMBER:
            case CHAR_CONSTANT:
                return Literals.number(t);
            case LEFT_PAREN: {
                enter(t.pos());
                try {
                    Pipeline p = pipeline("parenthesized pipeline", Type.RIGHT_PAREN);
                    return new Node.PipeArg(t.pos(), p);
                } finally {
                    nesting--;
                }
            }
            case STRING:
            case RAW_STRING:
                return new Node.StringArg(t.pos(), Literals.unquote(t.text(), t.pos()));
            default:
                backup();
                return null;
        }
    }
}
