package io.mbllm.engine.template.go;

import java.util.List;

/**
 * A template function (an entry of Go's FuncMap). Arguments arrive evaluated: strings, {@link Long} for
 * integer constants, {@link Double} for float constants, booleans, null for nil, and data values as given.
 * A {@link GoTemplateException} or {@link RuntimeException} thrown here becomes an execution error
 * {@code error calling NAME: MESSAGE} located at the calling action.
 */
@FunctionalInterface
public interface GoFunction {
    /** Calls the function. */
    Object call(List<Object> args) throws GoTemplateException;
}
