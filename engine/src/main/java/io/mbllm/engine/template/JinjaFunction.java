package io.mbllm.engine.template;

/** A callable value: a global function, a bound method or a macro. */
@FunctionalInterface
interface JinjaFunction {
    Object call(Args args);
}
