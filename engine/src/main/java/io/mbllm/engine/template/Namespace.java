package io.mbllm.engine.template;

import java.util.LinkedHashMap;
import java.util.Map;

/** The mutable object returned by {@code namespace(...)}; its attributes can be assigned across scopes. */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();
}
