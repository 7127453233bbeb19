package io.mbllm.engine.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser from tokens to the statement AST, following Jinja2's grammar and precedence. */
final class Parser {
    private static final int MAX_DEPTH = 200;
    private final List<Token> tokens;
    private int pos;
    private int depth;

    private Parser(List<Token> tokens) { this.tokens = tokens; }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.tokenize(source));
        List<Node> body = p.parseBody(Set.of());
        if (p.peek().kind() != Token.Kind.EOF) {
            Token t = p.peek();
            throw TemplateFailure.syntax("unexpected tag '" + p.peekAt(1).text() + "'", t.loc());
        }
        return body;
    }

    private Token peek() { return tokens.get(pos); }
    private Token peekAt(int k) { return tokens.get(Math.min(pos + k, tokens.size() - 1)); }
    private Token next() { return tokens.get(pos++); }

    private TemplateFailure error(String msg, Token t) { return TemplateFailure.syntax(msg, t.loc()); }

    private Token expectOp(String op) {
        Token t = peek();
        if (!t.isOp(op)) throw error("expected '" + op + "' but found " + t.describe(), t);
        return next();
    }

    private Token expectName() {
        Token t = peek();
        if (t.kind() != Token.Kind.NAME) throw error("expected a name but found " + t.describe(), t);
        return next();
    }

    private void expectKeyword(String kw) {
        Token t = peek();
        if (!t.isName(kw)) throw error("expected '" + kw + "' but found " + t.describe(), t);
        next();
    }

    private void expectBlockEnd() {
        Token t = peek();
        if (t.kind() != Token.Kind.BLOCK_END) throw error("expected end of tag '%}' but found " + t.describe(), t);
        next();
    }

    /** Parses nodes until a block tag whose keyword is in {@code stop} (left unconsumed) or EOF. */
    private List<Node> parseBody(Set<String> stop) {
        List<Node> nodes = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!stop.isEmpty()) throw error("unexpected end of template, expected one of " + stop, t);
                    return nodes;
                }
                case TEXT -> { next(); nodes.add(new Node.Text(t.text())); }
                case VAR_BEGIN -> {
                    next();
                    Expr e = parseTupleOrExpr();
                    Token end = peek();
                    if (end.kind() != Token.Kind.VAR_END) throw error("expected '}}' but found " + end.describe(), end);
                    next();
                    nodes.add(new Node.Output(t.loc(), e));
                }
                case BLOCK_BEGIN -> {
                    Token kw = peekAt(1);
                    if (kw.kind() != Token.Kind.NAME) throw error("expected a tag name", kw);
                    if (stop.contains(kw.text())) return nodes;
                    next();
                    next();
                    nodes.add(parseStatement(kw));
                }
                default -> throw error("unexpected " + t.describe(), t);
            }
        }
    }

    private Node parseStatement(Token kw) {
        Loc loc = kw.loc();
        switch (kw.text()) {
            case "if": return parseIf(loc);
            case "for": return parseFor(loc);
            case "set": return parseSet(loc);
            case "macro": return parseMacro(loc);
            case "filter": {
                List<Expr.Filter> filters = parseFilterChain();
                expectBlockEnd();
                List<Node> body = parseBody(Set.of("endfilter"));
                endTag("endfilter");
                return new Node.FilterBlock(loc, filters, body);
            }
            case "generation": {
                expectBlockEnd();
                List<Node> body = parseBody(Set.of("endgeneration"));
                endTag("endgeneration");
                return new Node.Scope(body);
            }
            case "do": {
                Expr e = parseTupleOrExpr();
                expectBlockEnd();
                return new Node.Do(loc, e);
            }
            case "break": expectBlockEnd(); return new Node.Break(loc);
            case "continue": expectBlockEnd(); return new Node.Continue(loc);
            default: throw TemplateFailure.syntax("unknown or unsupported tag '" + kw.text() + "'", loc);
        }
    }

    private void endTag(String name) {
        next(); // BLOCK_BEGIN
        expectKeyword(name);
        expectBlockEnd();
    }

    private Node parseIf(Loc loc) {
        List<Expr> conds = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        conds.add(parseTupleOrExpr());
        expectBlockEnd();
        List<Node> orElse = List.of();
        while (true) {
            bodies.add(parseBody(Set.of("elif", "else", "endif")));
            next(); // BLOCK_BEGIN
            Token kw = next();
            if (kw.text().equals("elif")) {
                conds.add(parseTupleOrExpr());
                expectBlockEnd();
            } else if (kw.text().equals("else")) {
                expectBlockEnd();
                orElse = parseBody(Set.of("endif"));
                endTag("endif");
                break;
            } else {
                expectBlockEnd();
                break;
            }
        }
        return new Node.If(loc, conds, bodies, orElse);
    }

    private Node parseFor(Loc loc) {
        List<String> targets = new ArrayList<>();
        boolean paren = peek().isOp("(");
        if (paren) next();
        targets.add(expectName().text());
        while (peek().isOp(",")) {
            next();
            if (peek().kind() != Token.Kind.NAME) break;
            targets.add(expectName().text());
        }
        if (paren) expectOp(")");
        expectKeyword("in");
        Expr iterable = parseTupleNoCond();
        Expr filter = null;
        if (peek().isName("if")) {
            next();
            filter = parseExpression();
        }
        if (peek().isName("recursive")) throw error("recursive loops are not supported", peek());
        expectBlockEnd();
        List<Node> body = parseBody(Set.of("else", "endfor"));
        List<Node> orElse = List.of();
        next(); // BLOCK_BEGIN
        Token kw = next();
        expectBlockEnd();
        if (kw.text().equals("else")) {
            orElse = parseBody(Set.of("endfor"));
            endTag("endfor");
        }
        return new Node.For(loc, targets, iterable, filter, body, orElse);
    }

    private Node parseSet(Loc loc) {
        Token first = expectName();
        if (peek().isOp(".")) {
            next();
            String attr = expectName().text();
            expectOp("=");
            Expr value = parseTupleOrExpr();
            expectBlockEnd();
            return new Node.Set(loc, List.of(), new Expr.Name(first.loc(), first.text()), attr, value);
        }
        List<String> names = new ArrayList<>();
        names.add(first.text());
        while (peek().isOp(",")) {
            next();
            names.add(expectName().text());
        }
        if (peek().isOp("=")) {
            next();
            Expr value = parseTupleOrExpr();
            expectBlockEnd();
            return new Node.Set(loc, names, null, null, value);
        }
        if (names.size() != 1) throw error("expected '=' in set", peek());
        List<Expr.Filter> filters = peek().isOp("|") ? parseFilterChainAfterBar() : List.of();
        expectBlockEnd();
        List<Node> body = parseBody(Set.of("endset"));
        endTag("endset");
        return new Node.SetBlock(loc, names.get(0), filters, body);
    }

    private List<Expr.Filter> parseFilterChainAfterBar() {
        List<Expr.Filter> out = new ArrayList<>();
        while (peek().isOp("|")) {
            next();
            out.add(parseFilterCall(null));
        }
        return out;
    }

    private List<Expr.Filter> parseFilterChain() {
        List<Expr.Filter> out = new ArrayList<>();
        out.add(parseFilterCall(null));
        out.addAll(parseFilterChainAfterBar());
        return out;
    }

    private Node parseMacro(Loc loc) {
        String name = expectName().text();
        expectOp("(");
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        while (!peek().isOp(")")) {
            if (!params.isEmpty()) expectOp(",");
            if (peek().isOp(")")) break;
            params.add(expectName().text());
            if (peek().isOp("=")) {
                next();
                defaults.add(parseExpression());
            } else {
                defaults.add(null);
            }
        }
        expectOp(")");
        expectBlockEnd();
        List<Node> body = parseBody(Set.of("endmacro"));
        next();
        expectKeyword("endmacro");
        if (peek().kind() == Token.Kind.NAME) next(); // optional macro name after endmacro
        expectBlockEnd();
        return new Node.MacroDef(loc, name, params, defaults, body);
    }

    // ---- expressions ----

    /** An expression, or an implicit tuple {@code a, b} as allowed in output and set statements. */
    private Expr parseTupleOrExpr() {
        Loc loc = peek().loc();
        Expr first = parseExpression();
        if (!peek().isOp(",")) return first;
        List<Expr> items = new ArrayList<>();
        items.add(first);
        while (peek().isOp(",")) {
            next();
            if (atExprEnd()) break;
            items.add(parseExpression());
        }
        return new Expr.TupleLit(loc, items);
    }

    private Expr parseTupleNoCond() {
        Loc loc = peek().loc();
        Expr first = parseOr();
        if (!peek().isOp(",")) return first;
        List<Expr> items = new ArrayList<>();
        items.add(first);
        while (peek().isOp(",")) {
            next();
            if (atExprEnd()) break;
            items.add(parseOr());
        }
        return new Expr.TupleLit(loc, items);
    }

    private boolean atExprEnd() {
        Token t = peek();
        return t.kind() == Token.Kind.BLOCK_END || t.kind() == Token.Kind.VAR_END || t.isOp(")") || t.isOp("]")
                || t.isOp("}") || t.isName("if");
    }

    Expr parseExpression() {
        if (++depth > MAX_DEPTH) throw error("expression nested too deeply", peek());
        try {
            Expr e = parseOr();
            while (peek().isName("if")) {
                Loc loc = next().loc();
                Expr cond = parseOr();
                Expr otherwise = null;
                if (peek().isName("else")) {
                    next();
                    otherwise = parseExpression();
                }
                e = new Expr.Cond(loc, cond, e, otherwise);
            }
            return e;
        } finally {
            depth--;
        }
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (peek().isName("or")) {
            Loc loc = next().loc();
            left = new Expr.Or(loc, left, parseAnd());
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (peek().isName("and")) {
            Loc loc = next().loc();
            left = new Expr.And(loc, left, parseNot());
        }
        return left;
    }

    private Expr parseNot() {
        if (peek().isName("not")) {
            Loc loc = next().loc();
            if (++depth > MAX_DEPTH) throw error("expression nested too deeply", peek());
            try {
                return new Expr.Not(loc, parseNot());
            } finally {
                depth--;
            }
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        Loc loc = peek().loc();
        Expr first = parseMath1();
        List<Expr> operands = null;
        List<Expr.CmpOp> ops = null;
        while (true) {
            Token t = peek();
            Expr.CmpOp op = null;
            if (t.kind() == Token.Kind.OP) {
                op = switch (t.text()) {
                    case "==" -> Expr.CmpOp.EQ;
                    case "!=" -> Expr.CmpOp.NE;
                    case "<" -> Expr.CmpOp.LT;
                    case "<=" -> Expr.CmpOp.LE;
                    case ">" -> Expr.CmpOp.GT;
                    case ">=" -> Expr.CmpOp.GE;
                    default -> null;
                };
                if (op != null) next();
            } else if (t.isName("in")) {
                next();
                op = Expr.CmpOp.IN;
            } else if (t.isName("not") && peekAt(1).isName("in")) {
                next();
                next();
                op = Expr.CmpOp.NOT_IN;
            }
            if (op == null) break;
            if (operands == null) {
                operands = new ArrayList<>();
                ops = new ArrayList<>();
                operands.add(first);
            }
            ops.add(op);
            operands.add(parseMath1());
        }
        return operands == null ? first : new Expr.Compare(loc, operands, ops);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token t = next();
            left = new Expr.Binary(t.loc(), t.text().equals("+") ? Expr.BinOp.ADD : Expr.BinOp.SUB, left, parseConcat());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (peek().isOp("~")) {
            Token t = next();
            left = new Expr.Binary(t.loc(), Expr.BinOp.CONCAT, left, parseMath2());
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (true) {
            Token t = peek();
            Expr.BinOp op = null;
            if (t.kind() == Token.Kind.OP) {
                op = switch (t.text()) {
                    case "*" -> Expr.BinOp.MUL;
                    case "/" -> Expr.BinOp.DIV;
                    case "//" -> Expr.BinOp.FLOORDIV;
                    case "%" -> Expr.BinOp.MOD;
                    default -> null;
                };
            }
            if (op == null) return left;
            next();
            left = new Expr.Binary(t.loc(), op, left, parsePow());
        }
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (peek().isOp("**")) {
            Token t = next();
            left = new Expr.Binary(t.loc(), Expr.BinOp.POW, left, parseUnary(true));
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = peek();
        Expr e;
        if (t.isOp("-") || t.isOp("+")) {
            next();
            if (++depth > MAX_DEPTH) throw error("expression nested too deeply", t);
            try {
                Expr operand = parseUnary(false);
                e = t.isOp("-") ? new Expr.Neg(t.loc(), operand) : operand;
            } finally {
                depth--;
            }
        } else {
            e = parsePrimary();
        }
        e = parsePostfix(e);
        if (withFilter) e = parseFilterAndTests(e);
        return e;
    }

    private Expr parsePrimary() {
        Token t = next();
        switch (t.kind()) {
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Const(t.loc(), Boolean.TRUE);
                    case "false", "False" -> new Expr.Const(t.loc(), Boolean.FALSE);
                    case "none", "None" -> new Expr.Const(t.loc(), null);
                    default -> new Expr.Name(t.loc(), t.text());
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.text());
                while (peek().kind() == Token.Kind.STRING) sb.append(next().text());
                return new Expr.Const(t.loc(), sb.toString());
            }
            case INT -> {
                try {
                    return new Expr.Const(t.loc(), Long.parseLong(t.text()));
                } catch (NumberFormatException ex) {
                    throw error("integer literal too large", t);
                }
            }
            case FLOAT -> { return new Expr.Const(t.loc(), Double.parseDouble(t.text())); }
            case OP -> {
                switch (t.text()) {
                    case "(" -> {
                        if (peek().isOp(")")) { next(); return new Expr.TupleLit(t.loc(), List.of()); }
                        Expr first = parseExpression();
                        if (peek().isOp(")")) { next(); return first; }
                        List<Expr> items = new ArrayList<>();
                        items.add(first);
                        while (peek().isOp(",")) {
                            next();
                            if (peek().isOp(")")) break;
                            items.add(parseExpression());
                        }
                        expectOp(")");
                        return new Expr.TupleLit(t.loc(), items);
                    }
                    case "[" -> {
                        List<Expr> items = new ArrayList<>();
                        while (!peek().isOp("]")) {
                            if (!items.isEmpty()) {
                                expectOp(",");
                                if (peek().isOp("]")) break;
                            }
                            items.add(parseExpression());
                        }
                        expectOp("]");
                        return new Expr.ListLit(t.loc(), items);
                    }
                    case "{" -> {
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!peek().isOp("}")) {
                            if (!keys.isEmpty()) {
                                expectOp(",");
                                if (peek().isOp("}")) break;
                            }
                            keys.add(parseExpression());
                            expectOp(":");
                            values.add(parseExpression());
                        }
                        expectOp("}");
                        return new Expr.DictLit(t.loc(), keys, values);
                    }
                    default -> throw error("unexpected " + t.describe(), t);
                }
            }
            default -> throw error("unexpected " + t.describe(), t);
        }
    }

    private Expr parsePostfix(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp(".")) {
                next();
                Token name = next();
                if (name.kind() == Token.Kind.NAME) e = new Expr.GetAttr(name.loc(), e, name.text());
                else if (name.kind() == Token.Kind.INT) e = new Expr.GetItem(name.loc(), e, new Expr.Const(name.loc(), Long.parseLong(name.text())));
                else throw error("expected an attribute name after '.'", name);
            } else if (t.isOp("[")) {
                next();
                e = parseSubscript(t.loc(), e);
            } else if (t.isOp("(")) {
                next();
                e = parseCall(e.loc(), e);
            } else {
                return e;
            }
        }
    }

    private Expr parseSubscript(Loc loc, Expr target) {
        Expr start = null, stop = null, step = null;
        boolean slice = false;
        if (!peek().isOp(":")) start = parseExpression();
        if (peek().isOp(":")) {
            slice = true;
            next();
            if (!peek().isOp("]") && !peek().isOp(":")) stop = parseExpression();
            if (peek().isOp(":")) {
                next();
                if (!peek().isOp("]")) step = parseExpression();
            }
        }
        expectOp("]");
        return slice ? new Expr.Slice(loc, target, start, stop, step) : new Expr.GetItem(loc, target, start);
    }

    private Expr.Call parseCall(Loc loc, Expr callee) {
        List<Expr> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        parseArgs(args, kwNames, kwValues);
        return new Expr.Call(loc, callee, args, kwNames, kwValues);
    }

    /** Parses call arguments after '(' up to and including ')'. */
    private void parseArgs(List<Expr> args, List<String> kwNames, List<Expr> kwValues) {
        boolean first = true;
        while (!peek().isOp(")")) {
            if (!first) {
                expectOp(",");
                if (peek().isOp(")")) break;
            }
            first = false;
            if (peek().kind() == Token.Kind.NAME && peekAt(1).isOp("=")) {
                kwNames.add(next().text());
                next();
                kwValues.add(parseExpression());
            } else {
                if (!kwNames.isEmpty()) throw error("positional argument after keyword argument", peek());
                args.add(parseExpression());
            }
        }
        expectOp(")");
    }

    private Expr parseFilterAndTests(Expr e) {
        while (true) {
            Token t = peek();
            if (t.isOp("|")) {
                next();
                e = parseFilterCall(e);
            } else if (t.isName("is")) {
                next();
                e = parseTest(t.loc(), e);
            } else if (t.isOp("(")) {
                next();
                e = parseCall(e.loc(), e);
            } else {
                return e;
            }
        }
    }

    private Expr.Filter parseFilterCall(Expr value) {
        Token name = expectName();
        List<Expr> args = new ArrayList<>();
        List<String> kwNames = new ArrayList<>();
        List<Expr> kwValues = new ArrayList<>();
        if (peek().isOp("(")) {
            next();
            parseArgs(args, kwNames, kwValues);
        }
        return new Expr.Filter(name.loc(), value, name.text(), args, kwNames, kwValues);
    }

    private Expr parseTest(Loc loc, Expr value) {
        boolean negated = false;
        if (peek().isName("not")) {
            next();
            negated = true;
        }
        Token name = expectName();
        List<Expr> args = new ArrayList<>();
        Token t = peek();
        if (t.isOp("(")) {
            next();
            List<String> kwNames = new ArrayList<>();
            parseArgs(args, kwNames, new ArrayList<>());
            if (!kwNames.isEmpty()) throw error("tests take no keyword arguments", t);
        } else if ((t.kind() == Token.Kind.NAME || t.kind() == Token.Kind.STRING || t.kind() == Token.Kind.INT
                || t.kind() == Token.Kind.FLOAT || t.isOp("[") || t.isOp("{"))
                && !(t.isName("else") || t.isName("or") || t.isName("and") || t.isName("if") || t.isName("is")
                     || t.isName("in") || t.isName("not"))) {
            args.add(parsePostfix(parsePrimary()));
        }
        return new Expr.Test(loc, value, name.text(), args, negated);
    }
}
