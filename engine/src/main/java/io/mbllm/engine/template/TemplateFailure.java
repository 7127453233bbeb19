package io.mbllm.engine.template;

/** Internal unchecked carrier of a template error; turned into {@link TemplateException} at the API boundary. */
final class TemplateFailure extends RuntimeException {
    final TemplateException.Kind kind;
    Loc loc;

    TemplateFailure(TemplateException.Kind kind, String message, Loc loc) {
        super(message, null, false, false);
        this.kind = kind;
        this.loc = loc;
    }

    /** A runtime error whose position is filled in by the innermost expression being evaluated. */
    static TemplateFailure runtime(String message) {
        return new TemplateFailure(TemplateException.Kind.RUNTIME, message, null);
    }

    static TemplateFailure syntax(String message, Loc loc) {
        return new TemplateFailure(TemplateException.Kind.SYNTAX, message, loc);
    }

    TemplateFailure at(Loc where) {
        if (loc == null) loc = where;
        return this;
    }

    TemplateException toException() {
        return new TemplateException(kind, getMessage(), loc == null ? 0 : loc.line(), loc == null ? 0 : loc.col(), this);
    }
}
