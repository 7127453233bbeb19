package io.mbllm.engine.template;

/** The value of a missing variable, attribute or item (Jinja2's default, lenient {@code Undefined}). */
record Undefined(String name) {
    TemplateFailure error(String action) {
        String what = name == null ? "value is undefined" : "'" + name + "' is undefined";
        return TemplateFailure.runtime(what + " (" + action + ")");
    }
}
