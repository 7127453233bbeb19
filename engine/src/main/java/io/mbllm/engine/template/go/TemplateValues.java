package io.mbllm.engine.template.go;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The values Ollama hands to prompt templates (template/template.go: templateMessage, templateTool, ...),
 * rebuilt as records so that field names, printing (String methods) and JSON encoding match:
 * {@code .Function.Arguments} and {@code .Tools} print as JSON, {@code json .Tools} uses the json tag
 * names and omitempty rules, {@code json} of a message uses the Go field names.
 */
final class TemplateValues {
    private TemplateValues() {
    }

    static String jsonOrEmpty(Object v) {
        try {
            return GoJson.marshal(v);
        } catch (GoJson.UnsupportedValueException e) {
            return "";
        }
    }

    /** templateMessage. Component names map to the Go fields Role, Content, ..., ToolCallID. */
    record Message(String role, String content, String thinking, List<Object> images, List<ToolCallView> toolCalls,
            String toolName, String toolCallID) implements GoJsonMarshaler {
        @Override
        public Object toJsonValue() {
            return GoJson.Struct.of("Role", role, "Content", content, "Thinking", thinking, "Images", images,
                    "ToolCalls", toolCalls, "ToolName", toolName, "ToolCallID", toolCallID);
        }

        static Message of(ChatMessage m) {
            List<ToolCallView> calls = null;
            if (!m.toolCalls().isEmpty()) {
                calls = new ArrayList<>();
                for (ToolCall c : m.toolCalls()) {
                    calls.add(new ToolCallView(c.id(), new ToolCallFunction(c.index(), c.name(),
                            new Arguments(c.arguments()))));
                }
                calls = Collections.unmodifiableList(calls);
            }
            return new Message(m.role(), m.content(), m.thinking(), null, calls, m.toolName(), "");
        }
    }

    /** templateToolCall: {@code .ID}, {@code .Function}. */
    record ToolCallView(String ID, ToolCallFunction function) implements GoJsonMarshaler {
        @Override
        public Object toJsonValue() {
            return GoJson.Struct.of("ID", ID, "Function", function);
        }
    }

    /** templateToolCallFunction: {@code .Index}, {@code .Name}, {@code .Arguments}. */
    record ToolCallFunction(long index, String name, Arguments arguments) implements GoJsonMarshaler {
        @Override
        public Object toJsonValue() {
            return GoJson.Struct.of("Index", index, "Name", name, "Arguments", arguments);
        }
    }

    /** templateArgs: a Go map (ranges in sorted key order) whose String method is its JSON. */
    static final class Arguments extends AbstractMap<String, Object> implements GoStringer {
        private final Map<String, Object> map;

        Arguments(Map<String, Object> args) {
            this.map = Collections.unmodifiableMap(new TreeMap<>(args));
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return map.entrySet();
        }

        @Override
        public Object get(Object key) {
            return map.get(key);
        }

        @Override
        public String goString() {
            return jsonOrEmpty(map);
        }
    }

    /** templateTools: a slice whose String method is its JSON ({@code null} when there are no tools). */
    static final class Tools extends AbstractList<Tool> implements GoStringer {
        private final List<Tool> tools;

        Tools(List<Tool> tools) {
            this.tools = List.copyOf(tools);
        }

        @Override
        public Tool get(int index) {
            return tools.get(index);
        }

        @Override
        public int size() {
            return tools.size();
        }

        @Override
        public String goString() {
            return tools.isEmpty() ? "null" : jsonOrEmpty(tools);
        }
    }

    /** templateTool: {@code .Type}, {@code .Items}, {@code .Function}. */
    record Tool(String type, Object items, ToolFunction function) implements GoJsonMarshaler, GoStringer {
        @Override
        public Object toJsonValue() {
            return items == null ? GoJson.Struct.of("type", type, "function", function)
                    : GoJson.Struct.of("type", type, "items", items, "function", function);
        }

        @Override
        public String goString() {
            return jsonOrEmpty(this);
        }

        static Tool of(ToolSpec spec) {
            Map<String, Object> p = spec.parameters();
            Object type = p.get("type");
            Object required = p.get("required");
            Object props = p.get("properties");
            ToolParameters params = new ToolParameters(type == null ? "" : requireString(type, "type"),
                    p.get("$defs"), p.get("items"), required == null ? null : strings(required, "required"),
                    props == null ? null : Properties.of(props, false));
            return new Tool(spec.type(), null, new ToolFunction(spec.name(), spec.description(), params));
        }
    }

    /** templateToolFunction: {@code .Name}, {@code .Description}, {@code .Parameters}. */
    record ToolFunction(String name, String description, ToolParameters parameters) implements GoJsonMarshaler {
        @Override
        public Object toJsonValue() {
            return GoJson.Struct.of("name", name, "description", description, "parameters", parameters);
        }
    }

    /** templateToolFunctionParameters: {@code .Type}, {@code .Defs}, {@code .Items}, {@code .Required},
     * {@code .Properties}. */
    record ToolParameters(String type, Object defs, Object items, List<String> required, Properties properties)
            implements GoJsonMarshaler {
        @Override
        public Object toJsonValue() {
            List<Object> f = new ArrayList<>(List.of("type", type));
            if (defs != null) {
                f.add("$defs");
                f.add(defs);
            }
            if (items != null) {
                f.add("items");
                f.add(items);
            }
            if (required != null && !required.isEmpty()) {
                f.add("required");
                f.add(required);
            }
            f.add("properties");
            f.add(properties);
            return GoJson.Struct.of(f.toArray());
        }
    }

    /**
     * Property maps: the top level (templateProperties) is a Go map, encoded with sorted keys; nested ones
     * (*ToolPropertiesMap) keep insertion order in JSON. Both range in sorted order and print as JSON.
     */
    static final class Properties extends AbstractMap<String, Property> implements GoStringer, GoJsonMarshaler {
        private final Map<String, Property> map;
        private final boolean ordered;

        private Properties(Map<String, Property> map, boolean ordered) {
            this.map = Collections.unmodifiableMap(map);
            this.ordered = ordered;
        }

        static Properties of(Object raw, boolean ordered) {
            if (!(raw instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("tool schema: properties must be an object, got "
                        + GoValues.typeName(raw));
            }
            Map<String, Property> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), Property.of(e.getValue()));
            }
            return new Properties(out, ordered);
        }

        @Override
        public Set<Entry<String, Property>> entrySet() {
            return map.entrySet();
        }

        @Override
        public Property get(Object key) {
            return map.get(key);
        }

        @Override
        public Object toJsonValue() {
            if (!ordered) {
                return new TreeMap<>(map);
            }
            List<Object> f = new ArrayList<>();
            map.forEach((k, v) -> {
                f.add(k);
                f.add(v);
            });
            return GoJson.Struct.of(f.toArray());
        }

        @Override
        public String goString() {
            return jsonOrEmpty(this);
        }
    }

    /**
     * api.ToolProperty: {@code .AnyOf .Type .Items .Description .Enum .Properties .Required}; all
     * omitempty in JSON.
     */
    record Property(List<Property> anyOf, PropertyType type, Object items, String description, List<Object> Enum,
            Properties properties, List<String> required) implements GoJsonMarshaler {
        @Override
        public Object toJsonValue() {
            List<Object> f = new ArrayList<>();
            if (anyOf != null && !anyOf.isEmpty()) {
                f.add("anyOf");
                f.add(anyOf);
            }
            if (type != null && !type.types().isEmpty()) {
                f.add("type");
                f.add(type);
            }
            if (items != null) {
                f.add("items");
                f.add(items);
            }
            if (!description.isEmpty()) {
                f.add("description");
                f.add(description);
            }
            if (Enum != null && !Enum.isEmpty()) {
                f.add("enum");
                f.add(Enum);
            }
            if (properties != null) {
                f.add("properties");
                f.add(properties);
            }
            if (required != null && !required.isEmpty()) {
                f.add("required");
                f.add(required);
            }
            return GoJson.Struct.of(f.toArray());
        }

        /** ToTypeScriptType from Ollama's api package. */
        String toTypeScriptType() {
            if (anyOf != null && !anyOf.isEmpty()) {
                List<String> parts = new ArrayList<>();
                for (Property p : anyOf) {
                    parts.add(p.toTypeScriptType());
                }
                return String.join(" | ", parts);
            }
            if (type == null || type.types().isEmpty()) {
                return "any";
            }
            List<String> parts = new ArrayList<>();
            for (String t : type.types()) {
                parts.add(switch (t) {
                    case "string" -> "string";
                    case "number", "integer" -> "number";
                    case "boolean" -> "boolean";
                    case "array" -> "any[]";
                    case "object" -> "Record<string, any>";
                    case "null" -> "null";
                    default -> "any";
                });
            }
            return String.join(" | ", parts);
        }

        static Property of(Object raw) {
            if (!(raw instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("tool schema: property must be an object, got "
                        + GoValues.typeName(raw));
            }
            List<Property> anyOf = null;
            if (m.get("anyOf") instanceof Object a) {
                List<?> l = GoValues.asList(a);
                if (l == null) {
                    throw new IllegalArgumentException("tool schema: anyOf must be an array");
                }
                anyOf = new ArrayList<>();
                for (Object o : l) {
                    anyOf.add(of(o));
                }
            }
            PropertyType type = new PropertyType(List.of());
            Object t = m.get("type");
            if (t instanceof String s) {
                type = new PropertyType(List.of(s));
            } else if (t != null) {
                type = new PropertyType(strings(t, "type"));
            }
            Object desc = m.get("description");
            List<Object> en = null;
            if (m.get("enum") != null) {
                List<?> l = GoValues.asList(m.get("enum"));
                if (l == null) {
                    throw new IllegalArgumentException("tool schema: enum must be an array");
                }
                en = Collections.unmodifiableList(new ArrayList<>(l));
            }
            Object props = m.get("properties");
            Object req = m.get("required");
            return new Property(anyOf == null ? null : List.copyOf(anyOf), type, m.get("items"),
                    desc == null ? "" : requireString(desc, "description"), en,
                    props == null ? null : Properties.of(props, true), req == null ? null : strings(req, "required"));
        }
    }

    /** api.PropertyType: one type prints as itself, several as {@code [a b]}; JSON string or array. */
    record PropertyType(List<String> types) implements GoStringer, GoJsonMarshaler {
        @Override
        public String goString() {
            if (types.isEmpty()) {
                return "";
            }
            return types.size() == 1 ? types.getFirst() : GoFormat.formatValue(types);
        }

        @Override
        public Object toJsonValue() {
            return types.size() == 1 ? types.getFirst() : types;
        }
    }

    private static String requireString(Object o, String what) {
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException("tool schema: " + what + " must be a string, got "
                    + GoValues.typeName(o));
        }
        return s;
    }

    private static List<String> strings(Object o, String what) {
        List<?> l = GoValues.asList(o);
        if (l == null) {
            throw new IllegalArgumentException("tool schema: " + what + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (Object e : l) {
            out.add(requireString(e, what + " item"));
        }
        return List.copyOf(out);
    }
}
